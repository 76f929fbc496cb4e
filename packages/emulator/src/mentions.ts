/**
 * Which mentions in an accepted message would actually notify someone (contract §6).
 * Only `content` can ping; mentions inside embeds never do (§2, jb3/webhook-discord #17).
 * Permissions are not modelled: every mention that allowed_mentions lets through counts.
 */
export interface Pings {
  /** @everyone or @here would notify. */
  everyone: boolean
  roles: string[]
  users: string[]
}

const EVERYONE = /@(?:everyone|here)\b/
const ROLE_MENTION = /<@&(\d{17,20})>/g
const USER_MENTION = /<@!?(\d{17,20})>/g

export function mentionsThatWouldPing (payload: Record<string, unknown>): Pings {
  const content = typeof payload.content === 'string' ? payload.content : ''
  const mentioned = {
    everyone: EVERYONE.test(content),
    roles: unique(content.matchAll(ROLE_MENTION)),
    users: unique(content.matchAll(USER_MENTION))
  }
  const allowed = payload.allowed_mentions
  // §6: the documented webhook default parses users only, but webhooks have pinged
  // @everyone and roles regardless (discord-api-docs #2988). A sender that omits
  // allowed_mentions is exposed to the worst case, so report the worst case.
  if (typeof allowed !== 'object' || allowed === null) return mentioned

  const rules = allowed as { parse?: unknown; roles?: unknown; users?: unknown }
  const parse = Array.isArray(rules.parse) ? rules.parse : []
  return {
    everyone: mentioned.everyone && parse.includes('everyone'),
    roles: parse.includes('roles') ? mentioned.roles : mentioned.roles.filter((id) => listed(rules.roles, id)),
    users: parse.includes('users') ? mentioned.users : mentioned.users.filter((id) => listed(rules.users, id))
  }
}

function unique (matches: IterableIterator<RegExpMatchArray>): string[] {
  const ids = new Set<string>()
  for (const match of matches) if (match[1] !== undefined) ids.add(match[1])
  return [...ids]
}

function listed (ids: unknown, id: string): boolean {
  return Array.isArray(ids) && ids.some((entry) => String(entry) === id)
}
