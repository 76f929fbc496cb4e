/**
 * The two shapes Discord uses to report an Invalid Form Body (contract §1, §2):
 *
 *   v8+    {code: 50035, message: 'Invalid Form Body', errors: {embeds: {'0': {title: {_errors: [{code, message}]}}}}}
 *          The tree mirrors the request body; array indices are string keys.
 *   v6/v7  a flat object: {embeds: ['Embed size exceeds maximum size of 6000']}
 *          (root-level problems go under `_misc`, as the old API did).
 */

export interface FormErrorLeaf {
  code: string
  message: string
}

/** A node of the v8+ error tree: `_errors` at a failing leaf, children keyed by field or index. */
export interface FormErrorTree {
  _errors?: FormErrorLeaf[]
  [key: string]: FormErrorTree | FormErrorLeaf[] | undefined
}

export type FormPath = ReadonlyArray<string | number>

/** Collects every problem found in one body, so a single response reports them all. */
export class FormErrors {
  #root: FormErrorTree = {}
  #count = 0

  add (path: FormPath, code: string, message: string): void {
    let node = this.#root
    for (const segment of path) {
      const key = String(segment)
      let child = node[key] as FormErrorTree | undefined
      if (child === undefined) {
        child = {}
        node[key] = child
      }
      node = child
    }
    ;(node._errors ??= []).push({ code, message })
    this.#count++
  }

  get isEmpty (): boolean {
    return this.#count === 0
  }

  /** The v8+ tree. */
  get tree (): FormErrorTree {
    return this.#root
  }
}

/** Where the pre-v8 API put errors about the body as a whole. */
export const LEGACY_ROOT_KEY = '_misc'

/** The v6/v7 flat body for a v8+ tree: every message grouped under its top-level field. */
export function flattenFormErrors (tree: FormErrorTree): Record<string, string[]> {
  const flat: Record<string, string[]> = {}
  const walk = (node: FormErrorTree, top: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (value === undefined) continue
      if (key === '_errors') {
        for (const leaf of value as FormErrorLeaf[]) (flat[top] ??= []).push(leaf.message)
      } else {
        walk(value as FormErrorTree, top)
      }
    }
  }
  for (const [key, value] of Object.entries(tree)) {
    if (value === undefined) continue
    if (key === '_errors') {
      for (const leaf of value as FormErrorLeaf[]) (flat[LEGACY_ROOT_KEY] ??= []).push(leaf.message)
    } else {
      walk(value as FormErrorTree, key)
    }
  }
  return flat
}
