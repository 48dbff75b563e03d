// The comments module's public surface. Nothing is published yet: no other module needs comments.
// (Comments go with their article through the database's ON DELETE CASCADE, not through a port.)
export {}
