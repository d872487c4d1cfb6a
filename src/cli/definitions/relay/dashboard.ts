import {runDashboard} from '../../../dashboard/run.js'
import {defineCommand} from '../../definition.js'

export const dashboard = defineCommand({
  bin: 'relay',
  name: 'dashboard',
  summary: 'Serve a live local page over this project and its synced siblings',
  description:
    'Agents and their presence, trajectories with their decisions, messages and threads, summaries and session ends, ' +
    'a coordinator view and search, for this project and every synced sibling, updated as records are written. ' +
    'Prints the URL (with its token) on the first line of stdout; while it runs, relay continuity load gives agents ' +
    'that URL. Serves on 127.0.0.1 unless --host says otherwise. --allow-send adds a form that sends messages as ' +
    'your git identity. --export writes the same page as static files instead.',
  examples: ['relay dashboard', 'relay dashboard --port 4711 --open', 'relay dashboard --allow-send', 'relay dashboard --export site/dashboard'],
  args: [],
  flags: {
    port: {type: 'string', description: 'the port (default: the one used last time if free, else any free one; 0: any)', helpValue: '<n>'},
    host: {type: 'string', description: 'the address to listen on (default 127.0.0.1; anything but loopback prints a warning)', helpValue: '<addr>'},
    open: {type: 'boolean', description: 'open the page in the system browser'},
    'allow-send': {type: 'boolean', description: 'show a form that sends messages, as your git identity'},
    export: {type: 'string', description: 'write the page and a snapshot of the records as static files into this folder, and exit', helpValue: '<dir>'},
    'new-token': {type: 'boolean', description: 'make a new token (the old URL stops working)'},
  },
  json: false,
  run: (ctx, {flags}, io) =>
    runDashboard(
      ctx,
      {
        ...(flags.port === undefined ? {} : {port: flags.port}),
        ...(flags.host === undefined ? {} : {host: flags.host}),
        ...(flags.export === undefined ? {} : {export: flags.export}),
        open: flags.open,
        allowSend: flags['allow-send'],
        newToken: flags['new-token'],
      },
      io,
    ),
  text: (outcome) =>
    outcome.kind === 'exported'
      ? `Wrote ${outcome.result.files} files (${outcome.result.trajectories} trajectories) to ${outcome.result.dir}. Serve that folder over HTTP to read it.\n`
      : 'Stopped.\n',
})
