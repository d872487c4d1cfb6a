import type {AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-edit-context.cjs: the decisions behind a file, as the edit hook adds them before a first
// edit (../../services/edit-fast.ts). Loaded by the edit hook's own bundle (./relay-pre-edit.ts) only when a file is
// not yet shown in the session: most edits are answered from the session file, without this code.

/** No command: loaded by another bundle, never routed to. */
export const COMMANDS: readonly AnyDefinition[] = []

export {fastEditContext} from '../../services/edit-fast.js'
