import { Config, Console, Effect, Redacted, Schema, SchemaIssue } from "effect"
import { Command, Flag } from "effect/cli"
import { UserAccounts } from "../../application/UserAccounts.ts"
import { Email, Password, Username } from "../../domain/User.ts"

/** A refused command says why on stderr and exits non-zero, without a stack trace. */
const refuse = (message: string) =>
  Effect.andThen(Console.error(`users create: ${message}`), Effect.sync(() => {
    process.exitCode = 1
  }))

const Registration = Schema.Struct({ username: Username, email: Email, password: Password })

/** `users create`: registers an account from the command line, under the same rules as the API. */
const create = Command.make(
  "create",
  {
    username: Flag.String("username").pipe(Flag.withDescription("unique username")),
    email: Flag.String("email").pipe(Flag.withDescription("unique email address")),
    // A flag value shows up in `ps` and shell history: prefer the environment variable.
    password: Flag.Redacted("password").pipe(
      Flag.withDescription("at least 8 characters (or set NEW_USER_PASSWORD)"),
      Flag.withFallbackConfig(Config.Redacted("NEW_USER_PASSWORD"))
    )
  },
  Effect.fn(function* ({ username, email, password }) {
    const accounts = yield* UserAccounts
    const input = yield* Schema.decodeUnknownEffect(Registration)(
      { username, email, password: Redacted.value(password) },
      { errors: "all" }
    )
    const { user } = yield* accounts.register(input)
    yield* Console.log(`created user ${user.username} <${user.email}> (id ${user.id})`)
  }, Effect.catchTags({
    SchemaError: (error) => refuse(SchemaIssue.makeFormatterDefault()(error.issue)),
    EmailTaken: () => refuse("email has already been taken"),
    UsernameTaken: () => refuse("username has already been taken")
  }))
).pipe(Command.withDescription("Create a user account"))

export const usersCommand = Command.make("users").pipe(
  Command.withDescription("Manage user accounts"),
  Command.withSubcommands([create])
)
