import { LIMITS } from './constants.js'
import { FormErrors, type FormErrorTree } from './form-errors.js'
import { FORM_ERROR_CODES } from './validate.js'

/**
 * Execute Webhook bodies as Discord reads them (contract §1): `application/json`, or
 * `multipart/form-data` with the JSON in a `payload_json` part and each file in a part named
 * `files[n]` (also `file` / `fileN`) whose Content-Disposition carries a `filename`. Entries of
 * the payload's `attachments` refer to files by that index `n`.
 *
 * Multipart parsing is Node's own (the WHATWG `Request.formData()` of its built-in fetch), so
 * the emulator keeps zero dependencies and the parser is binary-safe and boundary-exact.
 */

/** A file Discord would have stored with the message; `data` is the exact bytes, base64. */
export interface StoredAttachment {
  /** The index `n` of `files[n]`, as `attachments[].id` referred to it. */
  id: string
  filename: string
  /** Bytes. */
  size: number
  content_type: string
  description?: string
  /** The file's bytes, base64-encoded (JSON-safe for the preview page and the message list). */
  data: string
}

export type ParsedBody =
  | { ok: true; payload: unknown; attachments: StoredAttachment[] }
  /** 413 40005: over the request or per-file limit (§1). */
  | { ok: false; kind: 'tooLarge' }
  /** 400 50035 CONTENT_TYPE_INVALID. */
  | { ok: false; kind: 'contentType' }
  /** 400 50109. */
  | { ok: false; kind: 'invalidJson' }
  /** 400 50035 with this tree. */
  | { ok: false; kind: 'form'; errors: FormErrorTree }

const FILE_PART = /^(?:files\[(\d{1,2})\]|file(\d{0,2}))$/

/** Reads a body that arrived whole (`undefined`: over the 25 MiB request limit). Never rejects. */
export async function parseRequestBody (contentType: string | undefined, body: Buffer | undefined): Promise<ParsedBody> {
  if (body === undefined) return { ok: false, kind: 'tooLarge' }
  const type = mediaType(contentType)
  if (type === 'application/json') return parseJson(body.toString('utf8'), [])
  if (type !== 'multipart/form-data') return { ok: false, kind: 'contentType' }
  let form: FormData
  try {
    form = await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': contentType as string }, body }).formData()
  } catch {
    // No boundary, a malformed part, a body that ends early: Discord cannot read the form either.
    const errors = new FormErrors()
    errors.add([], FORM_ERROR_CODES.contentType, 'Invalid multipart/form-data body.')
    return { ok: false, kind: 'form', errors: errors.tree }
  }
  return readForm(form)
}

async function readForm (form: FormData): Promise<ParsedBody> {
  const errors = new FormErrors()
  const files = new Map<string, File>()
  let json: string | undefined
  for (const [name, value] of form.entries()) {
    if (name === 'payload_json') {
      if (typeof value === 'string') json = value
      else json = await value.text()
      continue
    }
    const match = FILE_PART.exec(name)
    if (match === null || typeof value === 'string') continue
    const index = match[1] ?? (match[2] === '' ? '0' : (match[2] as string))
    // Part names must be unique (§1); a repeated one does not add a file.
    if (!files.has(index)) files.set(index, value)
  }
  if (files.size > LIMITS.files) errors.add(['files'], FORM_ERROR_CODES.maxLength, `Must be ${LIMITS.files} or fewer in length.`)
  for (const file of files.values()) if (file.size > LIMITS.fileBytes) return { ok: false, kind: 'tooLarge' }
  if (!errors.isEmpty) return { ok: false, kind: 'form', errors: errors.tree }

  const attachments: StoredAttachment[] = []
  for (const [id, file] of files) {
    const bytes = Buffer.from(await file.arrayBuffer())
    attachments.push({ id, filename: file.name, size: bytes.length, content_type: file.type || 'application/octet-stream', data: bytes.toString('base64') })
  }
  return parseJson(json ?? '{}', attachments)
}

function parseJson (text: string, attachments: StoredAttachment[]): ParsedBody {
  try {
    return { ok: true, payload: JSON.parse(text) as unknown, attachments }
  } catch {
    return { ok: false, kind: 'invalidJson' }
  }
}

/**
 * Checks the payload's `attachments` against the uploaded files and applies them: an entry's id
 * must name an uploaded `files[n]` (ATTACHMENT_NOT_FOUND otherwise, as Discord answers), its
 * `filename` and `description` replace the part's. Files no entry names are kept as uploaded.
 */
export function applyAttachmentEntries (payload: Record<string, unknown>, uploaded: readonly StoredAttachment[], errors: FormErrors): StoredAttachment[] {
  const entries = payload.attachments
  if (entries === undefined || entries === null) return [...uploaded]
  if (!Array.isArray(entries)) {
    errors.add(['attachments'], FORM_ERROR_CODES.list, 'Only iterables may be used in a ListType')
    return []
  }
  const byId = new Map(uploaded.map((a) => [a.id, a]))
  const out: StoredAttachment[] = []
  const named = new Set<string>()
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) {
      errors.add(['attachments', i], FORM_ERROR_CODES.dict, 'Only dictionaries may be used in a DictType')
      return
    }
    const e = entry as Record<string, unknown>
    const file = byId.get(String(e.id))
    if (file === undefined) {
      errors.add(['attachments', i], FORM_ERROR_CODES.attachmentNotFound, 'Attachment data not found')
      return
    }
    named.add(file.id)
    const kept: StoredAttachment = { ...file }
    if (typeof e.filename === 'string' && e.filename.trim() !== '') kept.filename = e.filename
    if (typeof e.description === 'string') kept.description = e.description.slice(0, LIMITS.attachmentDescription)
    out.push(kept)
  })
  for (const file of uploaded) if (!named.has(file.id)) out.push(file)
  return out
}

function mediaType (header: string | undefined): string {
  if (header === undefined) return ''
  const semicolon = header.indexOf(';')
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase()
}
