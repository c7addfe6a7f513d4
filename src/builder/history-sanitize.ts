// Credentials that may appear in a record's span attributes (cache backend tokens, GitHub tokens), masked
// before a record leaves the daemon in a bundle.
export function sanitizeCommand(v: string): string {
  return v.replace(/(ghtoken|token|access_key_id|secret_access_key|session_token)=[^ ,]+/gi, '$1=xxxxx')
    .replace(/(?:ghu|ghs)_[A-Za-z0-9]{36}/g, 'xxxxx').replace(/github_pat_\w{82}/g, 'xxxxx');
}
