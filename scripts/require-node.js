// Plain JavaScript, so any Node can run it: one line instead of ERR_UNKNOWN_FILE_EXTENSION when this
// Node is too old to run the TypeScript sources (type stripping needs Node ≥ 22.19).
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    `hexa-monolith needs Node >= 22.19, this is ${process.version}: run \`nvm use\` (reads .nvmrc), or use \`make run\` / \`make test\`, which fetch Node 24 themselves`
  )
  process.exit(1)
}
