// The comments module's public surface: the events it publishes. No other module calls into comments;
// comments go with their article or author through this module's own consumers.
export { CommentAdded, CommentDeleted } from "./domain/CommentEvents.ts"
