// What the demo's two small apps log, one step at a time: "checkout" logs through Winston (DiscordTransport),
// "billing" through Pino (the pino-discord transport in pino's worker). Each function returns how many
// records it handed over.
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Records per step. Against the emulator the burst is big enough to run into the channel's hidden
 * 30-a-minute limit; a real webhook gets fewer, so the demo there stays near a minute.
 */
export const SIZES = {
  emulator: { winstonStorm: 40, pinoStorm: 20, winstonBurst: 300, pinoBurst: 60 },
  real: { winstonStorm: 12, pinoStorm: 6, winstonBurst: 30, pinoBurst: 10 }
}

// Storm control folds records that differ only in numbers, ids or quoted strings, so the burst's records
// differ in words: each one is a distinct alert that must be sent.
const NODES = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'heron', 'iris', 'juniper']
const ROUTES = ['cart', 'checkout', 'login', 'search', 'orders', 'refunds', 'invoices', 'profile', 'shipping', 'coupons']
const distinct = (i) => `${ROUTES[i % ROUTES.length]} on ${NODES[Math.floor(i / ROUTES.length) % NODES.length]}${i >= 100 ? ` ${NODES[Math.floor(i / 100) % NODES.length]}` : ''}`

/**
 * An error whose stack shows paths relative to the repository (scripts/lib/demo-steps.mjs:…), not the
 * folders of the machine the demo runs on: what the alerts and the README's screenshot show.
 */
function demoError (message, { type: ErrorType = Error, cause } = {}) {
  const err = new ErrorType(message, cause === undefined ? undefined : { cause })
  err.stack = String(err.stack).replaceAll(pathToFileURL(ROOT).href, '').replaceAll(ROOT, '')
  return err
}

function paymentError () {
  const cause = demoError('card declined: insufficient funds (issuer code 51)', { type: TypeError })
  const err = demoError('charge failed for order ord_1042', { cause })
  err.code = 'PAYMENT_DECLINED'
  return err
}

export const STEPS = {
  startup: {
    title: 'startup notification',
    winston (logger, transport) {
      transport.notifier.sendStartupNotification('checkout', { version: '2.4.1', details: { Region: 'eu-west-1', Workers: 4 } })
      return 1
    },
    pino (logger) {
      logger.info({ version: '1.9.0', region: 'eu-west-1' }, 'billing service started')
      return 1
    }
  },
  info: {
    title: 'info',
    winston (logger) {
      logger.info('order placed', { orderId: 'ord_1042', amount: '€42.00', items: 3 })
      return 1
    },
    pino (logger) {
      logger.info({ invoiceId: 'inv_2209', customer: 'cus_77' }, 'invoice issued')
      return 1
    }
  },
  warning: {
    title: 'warning',
    winston (logger) {
      logger.warn('payment provider is slow', { provider: 'acme-pay', latencyMs: 1840, thresholdMs: 500 })
      return 1
    },
    pino (logger) {
      logger.warn({ mount: '/var/lib/billing', diskUsedPercent: 91 }, 'disk almost full')
      return 1
    }
  },
  error: {
    title: 'error with a stack and a cause',
    winston (logger) {
      logger.error('payment failed', { err: paymentError(), orderId: 'ord_1042', userId: 'u_381' })
      return 1
    },
    pino (logger) {
      logger.error({ err: demoError('SMTP connection reset', { cause: demoError('read ECONNRESET') }), invoiceId: 'inv_2209' }, 'could not email the invoice')
      return 1
    }
  },
  critical: {
    title: 'critical alert',
    winston (logger) {
      logger.fatal('database primary unreachable', { host: 'db-1.internal', failoverIn: '30s' })
      return 1
    },
    pino (logger) {
      logger.fatal({ queue: 'ledger', depth: 48_211 }, 'ledger queue is not draining')
      return 1
    }
  },
  storm: {
    title: 'a storm of repeats (storm control)',
    winston (logger, _transport, sizes) {
      for (let i = 0; i < sizes.winstonStorm; i++) logger.error('cache read failed', { err: demoError('ETIMEDOUT redis-1:6379'), key: 'cart:u_381' })
      return sizes.winstonStorm
    },
    pino (logger, sizes) {
      for (let i = 0; i < sizes.pinoStorm; i++) logger.error({ err: demoError('rate table missing') }, 'tax lookup failed')
      return sizes.pinoStorm
    }
  },
  burst: {
    title: 'a burst that hits the rate limit',
    winston (logger, _transport, sizes) {
      for (let i = 0; i < sizes.winstonBurst; i++) {
        logger.warn(`latency high: ${distinct(i)}`, { requestId: `req_${5000 + i}`, latencyMs: 900 + ((i * 37) % 400) })
      }
      return sizes.winstonBurst
    },
    pino (logger, sizes) {
      for (let i = 0; i < sizes.pinoBurst; i++) logger.warn({ invoiceId: `inv_${3000 + i}`, attempt: 1 + (i % 3) }, `invoice webhook slow: ${distinct(i)}`)
      return sizes.pinoBurst
    }
  }
}
