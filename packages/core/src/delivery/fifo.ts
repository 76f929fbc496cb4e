/** An array-backed FIFO with O(1) amortised shift and unshift, compacted lazily. */
export class Fifo<T> {
  #items: T[] = []
  #head = 0

  get length (): number {
    return this.#items.length - this.#head
  }

  push (item: T): void {
    this.#items.push(item)
  }

  peek (): T | undefined {
    return this.#items[this.#head]
  }

  shift (): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head] as T
    this.#items[this.#head] = undefined as T // let it be collected
    this.#head++
    // Compact when the dead prefix dominates, so memory tracks the live size.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  unshift (item: T): void {
    if (this.#head > 0) {
      this.#head--
      this.#items[this.#head] = item
    } else {
      this.#items.unshift(item)
    }
  }

  drain (): T[] {
    const out = this.#items.slice(this.#head)
    this.#items = []
    this.#head = 0
    return out
  }
}
