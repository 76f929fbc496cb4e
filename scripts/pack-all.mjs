// Packs every package into installable tarballs in one folder (after `pnpm build`), and prints the one
// `npm install` line that puts a transport and its core into an app outside this repository:
//   node scripts/pack-all.mjs [--dest packs]
// pnpm pack writes the workspace's versions in place of `workspace:*` (npm pack would leave the protocol in,
// which npm then refuses with EUNSUPPORTEDPROTOCOL). Nothing is published anywhere.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { dest: { type: 'string', default: 'packs' }, quiet: { type: 'boolean', default: false } } })
const dest = resolve(ROOT, values.dest)
mkdirSync(dest, { recursive: true })

// Under `pnpm run`, npm_execpath is pnpm itself; otherwise the pinned pnpm through npx.
const execpath = process.env.npm_execpath ?? ''
const pnpm = !/pnpm/.test(execpath) ? ['npx', '-y', 'pnpm@12.4.2'] : /\.[cm]?js$/.test(execpath) ? [process.execPath, execpath] : [execpath]

const tarballs = {}
for (const dir of readdirSync(join(ROOT, 'packages'))) {
  const cwd = join(ROOT, 'packages', dir)
  const { name, version } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
  execFileSync(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', dest], { cwd, stdio: ['ignore', 'ignore', 'inherit'] })
  tarballs[name] = join(dest, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`)
}

if (!values.quiet) {
  const core = tarballs['@logcord/core']
  console.log(`Tarballs in ${dest}:\n${Object.values(tarballs).map((t) => `  ${t}`).join('\n')}\n`)
  console.log('In your app (a transport always with its core, which is not on a registry):')
  console.log(`  npm install ${core} ${tarballs['@logcord/winston-discord']} winston`)
  console.log(`  npm install ${core} ${tarballs['@logcord/pino-discord']} pino`)
}
console.log(JSON.stringify(tarballs))
