import { Config, Console, Effect, Option, Redacted, Schema, SchemaIssue } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { UserAccounts } from "../../application/UserAccounts.ts"
import { Email, Password, Username } from "../../domain/User.ts"
import { UserDirectory } from "../../ports/UserDirectory.ts"

/** A refused command says why on stderr and exits non-zero, without a stack trace. */
const refuse = (command: string) => (message: string) =>
  Effect.andThen(Console.error(`users ${command}: ${message}`), Effect.sync(() => {
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
    SchemaError: (error) => refuse("create")(SchemaIssue.makeFormatterDefault()(error.issue)),
    EmailTaken: () => refuse("create")("email has already been taken"),
    UsernameTaken: () => refuse("create")("username has already been taken")
  }))
).pipe(Command.withDescription("Create a user account"))

/**
 * `users delete <username>`: deletes the account at once, as `DELETE /api/user` does; what it owned
 * goes through the other modules' event consumers, which run in the server processes.
 */
const remove = Command.make(
  "delete",
  { username: Argument.String("username").pipe(Argument.withDescription("the account's username")) },
  Effect.fn(function* ({ username }) {
    const accounts = yield* UserAccounts
    const directory = yield* UserDirectory
    const found = yield* directory.findByUsername(username)
    if (Option.isNone(found)) return yield* refuse("delete")(`no user named ${username}`)
    const user = yield* accounts.delete(found.value.id, Option.none())
    yield* Console.log(`deleted user ${user.username} (id ${user.id}); its articles, comments and follows follow shortly`)
  }, Effect.catchTags({ UserNotFound: () => refuse("delete")("the user was deleted meanwhile") }))
).pipe(Command.withDescription("Delete a user account and, through events, everything it owned"))

export const usersCommand = Command.make("users").pipe(
  Command.withDescription("Manage user accounts"),
  Command.withSubcommands([create, remove])
)
