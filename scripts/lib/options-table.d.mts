export interface OptionRow { key: string, default: unknown, shown?: string, doc: string }
export const READMES: readonly string[]
export function shownDefault (spec: OptionRow): string
export function optionsTable (options: readonly OptionRow[], except?: readonly string[]): string
export function withOptionsTable (text: string, options: readonly OptionRow[]): string | undefined
