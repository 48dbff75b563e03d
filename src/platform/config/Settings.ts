import { Config, Effect, Option, Record, Result, Schema, SchemaIssue } from "effect"

/** One thing wrong with one key: the key, and what it must be (with the value for non-secret keys). */
export interface SettingProblem {
  readonly key: string
  readonly problem: string
}

const issueOf = ({ key, problem }: SettingProblem): SchemaIssue.Issue =>
  new SchemaIssue.Pointer([key], new SchemaIssue.InvalidValue({ message: problem }))

/** A config failure carrying every problem found, each at its key. */
export const problemsError = (problems: readonly [SettingProblem, ...Array<SettingProblem>]) => {
  const [first, ...rest] = problems
  const issue =
    rest.length === 0 ? issueOf(first) : new SchemaIssue.Composite(Schema.Unknown.ast, problems.map(issueOf) as [SchemaIssue.Issue])
  return new Config.ConfigError(new Schema.SchemaError(issue))
}

/** Whether every issue in `issue` is one worded for a person by `invalid` (not effect's own wording). */
const isWorded = (issue: SchemaIssue.Issue): boolean =>
  issue._tag === "Composite"
    ? issue.issues.every(isWorded)
    : issue._tag === "Pointer" && issue.issue._tag === "InvalidValue" && typeof issue.issue.annotations?.message === "string"

/** Fails a config with `problem` at `key`; never includes the value (secrets come through here too). */
export const invalid = (key: string, problem: string) => Effect.fail(problemsError([{ key, problem }]))

const issueProblems = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>): Array<SettingProblem> => {
  switch (issue._tag) {
    case "Composite":
      return issue.issues.flatMap((inner) => issueProblems(inner, path))
    case "Pointer":
      return issueProblems(issue.issue, [...path, ...issue.path])
    default: {
      const message = issue._tag === "InvalidValue" && typeof issue.annotations?.message === "string"
        ? issue.annotations.message
        : String(new Schema.SchemaError(issue)).split("\n")[0]!
      return [{ key: path.map(String).join(".") || "configuration", problem: message }]
    }
  }
}

/** Every problem a config failure names, key by key. */
export const problemsOf = (error: Config.ConfigError): Array<SettingProblem> =>
  Schema.isSchemaError(error.cause)
    ? issueProblems(error.cause.issue, [])
    : [{ key: "configuration", problem: error.message }]

/**
 * `config`, read from `key`, whose failures say what the key must be: `expected` is a phrase such as
 * "a port number (1-65535)". A key set to an empty string is a mistake, not "use the default", unless
 * `allowEmpty` (an empty list, say). The value is echoed back only when `secret` is false.
 */
export const setting = <A>(
  key: string,
  expected: string,
  config: Config.Config<A>,
  options: { readonly secret?: boolean; readonly allowEmpty?: boolean } = {}
): Config.Config<A> => {
  const reworded = Config.String(key).pipe(
    Config.option,
    Config.mapEffect((raw) =>
      invalid(
        key,
        Option.match(raw, {
          onNone: () => `is required: ${expected}`,
          onSome: (value) => `must be ${expected}${options.secret ? "" : `, got ${JSON.stringify(value)}`}`
        })
      )
    )
  )
  const checked = Config.orElse(config, (error) =>
    Schema.isSchemaError(error.cause) && isWorded(error.cause.issue) ? Config.fail(error.cause) : reworded
  )
  // The environment provider reads an empty value as absent, which would silently mean the default.
  const empty = problemsError([{ key, problem: `is empty: set ${expected}, or unset it for the default` }])
  return Config.succeed(undefined).pipe(
    Config.flatMap(() => (process.env[key] === "" && !options.allowEmpty ? Config.fail(empty.cause) : checked))
  )
}

const attempt = <A>(config: Config.Config<A>): Config.Config<Result.Result<A, Config.ConfigError>> =>
  config.pipe(
    Config.map((value) => Result.succeed(value)),
    Config.orElse((error) => Config.succeed(Result.fail(error)))
  )

/** Like `Config.all` over a record, but reads every field and reports all of their problems at once. */
export const all = <const Fields extends Record<string, Config.Config<unknown>>>(
  fields: Fields
): Config.Config<{ -readonly [K in keyof Fields]: Config.Success<Fields[K]> }> =>
  Config.all(Record.map(fields, attempt)).pipe(
    Config.mapEffect((results) => {
      const problems = Object.values(results).flatMap((result) => (Result.isFailure(result) ? problemsOf(result.failure) : []))
      return problems.length > 0
        ? Effect.fail(problemsError(problems as [SettingProblem, ...Array<SettingProblem>]))
        : Effect.succeed(Record.map(results, (result) => (result as Result.Success<unknown, never>).success) as never)
    })
  )
