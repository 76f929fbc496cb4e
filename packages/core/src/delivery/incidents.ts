/**
 * Incidents: one Discord message per problem, edited in place while it lasts (contract §7).
 *
 *   first record of a key ──► posted with ?wait=true: the message id is kept
 *   more of the key (a storm window's repeats, a later first record) ──► counted; an edit of the message is owed
 *   an owed edit leaves at most once per editIntervalMs per message, the latest state only; the last is always written
 *   quiet for resolveAfterMs, or resolveIncident() ──► one last edit: "Resolved", green, how many over how long
 *   the key again after that ──► a new incident whose message says it was seen before
 *
 * A key is a storm fingerprint (storm/fingerprint.ts) or an application's own name (`incident: 'db-primary'`). Plain
 * data throughout, so what is owed at process exit crosses to the exit worker (snapshot()). Nothing here sends or
 * schedules: the pipeline asks what is due and reports what Discord answered. Time is passed in.
 */
import type { Severity } from '../levels.js'
import { LIMITS } from '../limits.js'
import { embedLength, fitEmbed } from '../format/fit.js'
import { truncate } from '../format/text.js'
import { clock, spoken } from '../storm/summary.js'
import { alertTitle } from '../storm/windows.js'
import type { Embed, PlainRecord, ResolvedOptions, WebhookPayload } from '../types.js'

/** Discord's green, for a resolved incident's embed. */
const RESOLVED_COLOR = 0x57f287
/** Resolved incidents remembered, so their return says "seen before"; past this many the oldest is forgotten. */
const MAX_REMEMBERED = 1000

export interface Incident {
  key: string
  severity: Severity
  /** The first record's title or message, cut to 200 characters (for `announceResolved`). */
  title: string
  /** Occurrences, the first included. */
  count: number
  /** Epoch ms of the first and the latest occurrence. */
  firstSeen: number
  lastSeen: number
  /** Set once resolved (epoch ms), with the application's note if it gave one. */
  resolvedAt?: number
  note?: string
  /** The message showing it, once Discord answered its post; the index of its embed there. */
  messageId?: string
  embed: number
  /** The count (and state) the channel shows: an edit is owed while it differs. */
  shown: number
  shownResolved: boolean
  /** A new post is owed: the message was deleted (10008) or its thread archived (50083). */
  repost?: boolean
}

/** A message that shows incidents: its embeds as sent (the status lines are applied to copies), when it may be edited again. */
export interface IncidentMessage { id: string, threadId?: string, embeds: Embed[], dueAt: number }

/** What a resolved incident leaves, for the "seen before" of its return. */
interface Past { firstSeen: number, resolvedAt: number, count: number }

/** An edit to send: the message, its payload (every embed, each incident's status applied; never a ping), what it shows as of when it was built. */
export interface IncidentEdit { message: IncidentMessage, payload: WebhookPayload, shows: Array<{ incident: Incident, count: number, resolved: boolean }> }

export interface IncidentState { open: Incident[], messages: IncidentMessage[], past: Array<[string, Past]> }

export class Incidents {
  readonly #o: ResolvedOptions['incidents']
  readonly #open = new Map<string, Incident>()
  readonly #messages = new Map<string, IncidentMessage>()
  readonly #past = new Map<string, Past>()

  constructor (o: ResolvedOptions['incidents'], from?: IncidentState) {
    this.#o = o
    for (const i of from?.open ?? []) this.#open.set(i.key, i)
    for (const m of from?.messages ?? []) this.#messages.set(m.id, m)
    for (const [k, p] of from?.past ?? []) this.#past.set(k, p)
  }

  /** Incidents not resolved yet. */
  get open (): number {
    let n = 0
    for (const i of this.#open.values()) if (i.resolvedAt === undefined) n++
    return n
  }

  /**
   * The first record of a storm window, or a record naming its incident: folded into the open incident of its key
   * (undefined: nothing to post), or it opens one (the record to post is returned, "seen before" added on a return).
   */
  occurred (record: PlainRecord, key: string, now: number): PlainRecord | undefined {
    const open = this.#open.get(key)
    if (open !== undefined && open.resolvedAt === undefined) {
      open.count++
      open.lastSeen = Math.max(open.lastSeen, now)
      return undefined
    }
    const past = this.#past.get(key) ?? (open === undefined ? undefined : { firstSeen: open.firstSeen, resolvedAt: open.resolvedAt!, count: open.count })
    this.#open.set(key, { key, severity: record.severity, title: alertTitle(record).slice(0, 200), count: 1, firstSeen: now, lastSeen: now, embed: -1, shown: 1, shownResolved: false })
    if (past === undefined) return { ...record, incident: key }
    const seen = `began ${clock(past.firstSeen)}, resolved ${clock(past.resolvedAt)}, ×${count(past.count)}`
    return { ...record, incident: key, fields: { ...record.fields, 'Seen before': seen } }
  }

  /** `n` more occurrences of `key`, the last at `lastSeen` (a storm window's repeats). False when no incident is open for it. */
  repeated (key: string, n: number, lastSeen: number): boolean {
    const open = this.#open.get(key)
    if (open === undefined || open.resolvedAt !== undefined) return false
    open.count += n
    open.lastSeen = Math.max(open.lastSeen, lastSeen)
    return true
  }

  /** The application says it is over (resolveIncident()): the incident, or undefined when nothing is open under `key`. */
  resolve (key: string, now: number, note?: string): Incident | undefined {
    const open = this.#open.get(key)
    if (open === undefined || open.resolvedAt !== undefined) return undefined
    open.resolvedAt = now
    if (note !== undefined) open.note = note
    return open
  }

  /** The short message `announceResolved` posts for `i` (edits notify nobody): green, its status line. */
  static announcement (i: Incident, now: number): PlainRecord {
    return { severity: 'info', message: '', time: now, embed: { title: resolvedTitle(i.title), description: statusLine(i), color: RESOLVED_COLOR } }
  }

  /** Resolves the incidents quiet for resolveAfterMs at `now`; returns them (for `announceResolved`). */
  quiet (now: number): Incident[] {
    const ended: Incident[] = []
    for (const i of this.#open.values()) {
      if (i.resolvedAt === undefined && now - i.lastSeen >= this.#o.resolveAfterMs) {
        i.resolvedAt = now
        ended.push(i)
      }
    }
    return ended
  }

  /** When the next incident would go quiet (epoch ms), or Infinity. */
  get nextQuiet (): number {
    let at = Infinity
    for (const i of this.#open.values()) if (i.resolvedAt === undefined) at = Math.min(at, i.lastSeen + this.#o.resolveAfterMs)
    return at
  }

  /** A post Discord answered: the incidents among its records now have a message (each record with the index of its embed there). */
  posted (message: { id: string, threadId?: string }, payload: WebhookPayload, records: ReadonlyArray<{ record: PlainRecord, embed: number }>, now: number): void {
    let shows = false
    for (const { record, embed } of records) {
      const i = record.incident === undefined ? undefined : this.#open.get(record.incident)
      if (i === undefined || embed < 0) continue
      // Its old message (deleted, archived) is forgotten once nothing else shows there.
      const old = i.messageId
      i.messageId = message.id
      i.embed = embed
      i.repost = false
      if (old !== undefined && old !== message.id) this.#forget(old)
      shows = true
    }
    if (shows) this.#messages.set(message.id, { ...message, embeds: structuredClone(payload.embeds ?? []), dueAt: now + this.#o.editIntervalMs })
  }

  /** The post of `key`'s first record was dropped: nothing shows the incident, so it is forgotten; returns the repeats it had counted (lost with it). */
  lost (key: string): number {
    const i = this.#open.get(key)
    if (i === undefined || i.messageId !== undefined || i.repost === true) return 0
    this.#open.delete(key)
    return i.count - 1
  }

  /** Whether an edit is owed (delivered by flush() and close() at once, whatever the interval). */
  get owed (): boolean {
    for (const i of this.#open.values()) if (i.messageId !== undefined && this.#changed(i)) return true
    return false
  }

  /** When the next owed edit may leave (epoch ms), or Infinity. */
  get nextDue (): number {
    let at = Infinity
    for (const i of this.#open.values()) if (i.messageId !== undefined && this.#changed(i)) at = Math.min(at, this.#messages.get(i.messageId)?.dueAt ?? 0)
    return at
  }

  /** The message whose edit is owed and due at `now` (`hurry`: due whatever the interval), with the edit to send; messages in `skip` are passed over. */
  due (now: number, hurry: boolean, skip?: ReadonlySet<string>): IncidentEdit | undefined {
    for (const m of this.#messages.values()) {
      if ((!hurry && m.dueAt > now) || skip?.has(m.id) === true) continue
      const shows = [...this.#open.values()].filter((i) => i.messageId === m.id)
      if (!shows.some((i) => this.#changed(i))) continue
      const embeds = m.embeds.map((e) => ({ ...e }))
      for (const i of shows) if (i.count > 1 || i.resolvedAt !== undefined) embeds[i.embed] = statusEmbed(m.embeds[i.embed]!, i)
      const payload: WebhookPayload = { embeds: fitted(embeds, shows.map((i) => i.embed)), allowed_mentions: { parse: [] } }
      return { message: m, payload, shows: shows.map((incident) => ({ incident, count: incident.count, resolved: incident.resolvedAt !== undefined })) }
    }
    return undefined
  }

  /** Discord took the edit of `message` that showed `shows` as they were then (counts taken when the edit was built). */
  edited ({ message, shows }: IncidentEdit, now: number): void {
    message.dueAt = now + this.#o.editIntervalMs
    for (const { incident: i, count: n, resolved } of shows) {
      i.shown = n
      i.shownResolved = resolved
      if (resolved && i.count === n) this.#retire(i)
    }
  }

  /** The message is gone (10008) or its thread archived (50083): its incidents are posted again, once, as records carrying their count. */
  gone (message: IncidentMessage): PlainRecord[] {
    this.#messages.delete(message.id)
    const again: PlainRecord[] = []
    for (const i of this.#open.values()) {
      if (i.messageId !== message.id || i.repost === true) continue
      i.repost = true
      i.messageId = undefined
      if (i.resolvedAt !== undefined) {
        this.#retire(i)
        continue
      }
      const embed = statusEmbed(message.embeds[i.embed]!, i)
      again.push({ severity: i.severity, message: '', time: i.lastSeen, embed, incident: i.key })
      i.shown = i.count
    }
    return again
  }

  /** The state no edit could write (a deadline passed): each owed incident as its embed shows it now, for the dead-letter file. */
  owedRecords (): PlainRecord[] {
    const out: PlainRecord[] = []
    for (const i of this.#open.values()) {
      const m = i.messageId === undefined ? undefined : this.#messages.get(i.messageId)
      if (m !== undefined && this.#changed(i)) out.push({ severity: i.severity, message: '', time: i.lastSeen, embed: statusEmbed(m.embeds[i.embed]!, i), incident: i.key })
    }
    return out
  }

  /** Plain data for another thread (the exit worker). */
  snapshot (): IncidentState { return { open: [...this.#open.values()], messages: [...this.#messages.values()], past: [...this.#past] } }

  #changed (i: Incident): boolean { return i.count !== i.shown || (i.resolvedAt !== undefined) !== i.shownResolved }

  #retire (i: Incident): void {
    this.#open.delete(i.key)
    if (this.#past.size >= MAX_REMEMBERED) this.#past.delete(this.#past.keys().next().value!)
    this.#past.set(i.key, { firstSeen: i.firstSeen, resolvedAt: i.resolvedAt!, count: i.count })
    if (i.messageId !== undefined) this.#forget(i.messageId)
  }

  /** Drops a message nothing open shows any more. */
  #forget (id: string): void {
    for (const i of this.#open.values()) if (i.messageId === id) return
    this.#messages.delete(id)
  }
}

/** The status line, `×3,000 · first 12:00:03 · last 12:04:51 UTC`, or, resolved, how many over how long. */
export function statusLine (i: Pick<Incident, 'count' | 'firstSeen' | 'lastSeen' | 'resolvedAt' | 'note'>): string {
  if (i.resolvedAt === undefined) return `×${count(i.count)} · first ${clock(i.firstSeen, false)} · last ${clock(i.lastSeen)}`
  const note = i.note === undefined ? '' : ` · ${i.note}`
  return `Resolved · ×${count(i.count)} over ${spoken(i.lastSeen - i.firstSeen)} · first ${clock(i.firstSeen, false)} · last ${clock(i.lastSeen, false)} · resolved ${clock(i.resolvedAt)}${note}`
}

/** The incident's embed as the channel should show it: the status line above the original footer; resolved, green with "Resolved" in the title. */
function statusEmbed (sent: Embed, i: Incident): Embed {
  const e: Embed = { ...sent }
  const line = statusLine(i)
  e.footer = { ...sent.footer, text: truncate(sent.footer?.text === undefined || sent.footer.text === '' ? line : `${line}\n${sent.footer.text}`, LIMITS.footerText) }
  if (i.resolvedAt !== undefined) {
    e.color = RESOLVED_COLOR
    e.title = resolvedTitle(sent.title ?? '')
  }
  return e
}

/** `✅ Resolved: Error · db` for `🔴 Error · db`: the severity's emoji gives way. */
export function resolvedTitle (title: string): string {
  return truncate(`✅ Resolved: ${title.replace(LEADING_EMOJI, '')}`, LIMITS.title)
}
const LEADING_EMOJI = /^\p{Extended_Pictographic}\uFE0F?\s*/u

/** The embeds within the message's 6000-character total: what the status lines added is taken from the changed embeds' other parts. */
function fitted (embeds: Embed[], changed: readonly number[]): Embed[] {
  let over = embeds.reduce((n, e) => n + embedLength(e), 0) - LIMITS.totalEmbedChars
  for (const at of changed) {
    if (over <= 0) break
    const before = embedLength(embeds[at]!)
    embeds[at] = fitEmbed(embeds[at]!, before - over)
    over -= before - embedLength(embeds[at]!)
  }
  return embeds
}

const NUMBER = new Intl.NumberFormat('en-US')
function count (n: number): string { return NUMBER.format(n) }
