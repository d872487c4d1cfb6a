// The protocol's moments as prompts a client can offer (in Claude Code: /mcp__relay-trail__start-of-work): what
// to do at the start of work, at a decision, before a long operation, and at the end of a session, in the words of
// docs/spec/, naming the tools that do it. Pure text; the server adds the startup context where it helps.

export interface PromptSpec {
  name: string
  title: string
  description: string
  /** Optional string arguments: name → what it is. */
  arguments: Record<string, string>
  /** The prompt's text for the arguments given. */
  text(args: Record<string, string | undefined>): string
  /** Whether the agent's startup context is sent with it. */
  withContext: boolean
}

const CONFIDENCE = '0.9+ high (well-tested), 0.7-0.9 good (standard implementation), 0.5-0.7 some uncertainty (edge cases possible), below 0.5 needs review'

const SAVE_FORMAT = [
  'Current task: <what you are working on>',
  'Completed: <done, comma-separated>',
  'In progress: <under way>',
  'Next steps: <what comes next>',
  'Key decisions: <decisions and why>',
  'Files: <src/auth/jwt.ts:10-50, src/models/user.ts>',
].join('\n')

export const PROMPTS: readonly PromptSpec[] = [
  {
    name: 'start-of-work',
    title: 'Start of work',
    description: 'Pick up where the last session left off and start recording a trajectory for the task.',
    arguments: {task: 'the task, in a short line', task_id: 'the id of the external task (ticket, issue), if any'},
    withContext: true,
    text: ({task, task_id}) =>
      [
        'You are starting work. Your previous context is above: your ledger, the items to verify, your active trajectory, the newest handoff and unread messages.',
        '',
        '1. If a trajectory is already active and it is this task, go on with it; if it is other work, finish it first with trail_complete or trail_abandon.',
        `2. Before you implement anything, call trail_start with title ${task ? JSON.stringify(task) : '"<the task, in a short line>"'}${task_id ? ` and task ${JSON.stringify(task_id)}` : ' (and task: the ticket id, if there is one)'}.`,
        '3. Verify the items marked uncertain when you reach them, and answer unread messages (relay_inbox, then relay_send; mark them read with relay_inbox and mark_read).',
        '4. As you work, record decisions with trail_decision; save your state with relay_continuity_save before long operations and every 15-20 minutes.',
      ].join('\n'),
  },
  {
    name: 'decision',
    title: 'Record a decision',
    description: 'Record a decision just made: what was chosen, why, and the options not taken.',
    arguments: {decision: 'what was decided, in a short line'},
    withContext: false,
    text: ({decision}) =>
      [
        `Record ${decision ? `the decision ${JSON.stringify(decision)}` : 'the decision you just made'} with trail_decision:`,
        '- title: what was chosen, in a short line ("Chose JWT over sessions");',
        '- reasoning: why (optional for a minor decision);',
        '- alternatives: the options not taken, comma-separated;',
        `- confidence: how sure you are, from 0 to 1 (${CONFIDENCE}).`,
        'Record decisions when you choose between alternatives, make an architectural trade-off, or settle on an approach after investigating.',
      ].join('\n'),
  },
  {
    name: 'handoff',
    title: 'Hand off before a long operation',
    description: 'Save your state and a handoff document before a build, a test run, a deployment or anything that may trigger compaction.',
    arguments: {operation: 'the operation about to run'},
    withContext: false,
    text: ({operation}) =>
      [
        `Before ${operation ? JSON.stringify(operation) : 'the long operation'}, save your state so that you, or another agent, can pick it up if this session ends.`,
        'Call relay_continuity_save with handoff true and a text of these lines (leave out what does not apply; what you do not mention is kept):',
        '',
        SAVE_FORMAT,
        '',
        'Mark anything you could not verify with relay_continuity_uncertain.',
      ].join('\n'),
  },
  {
    name: 'end-of-session',
    title: 'End of session',
    description: 'Close the trajectory with a retrospective and leave the next session what it needs.',
    arguments: {},
    withContext: true,
    text: () =>
      [
        'The session is ending. Your current context is above.',
        '',
        `1. If the task is done, call trail_complete with a summary of what was done, the approach, the challenges and learnings, and a confidence (${CONFIDENCE}). If you stop without finishing, call trail_abandon with the reason instead.`,
        '2. Call relay_continuity_save with handoff true, in the lines "Current task:", "Completed:", "In progress:", "Next steps:", "Key decisions:", "Files:", so the next session starts where you stopped.',
        '3. Mark with relay_continuity_uncertain anything that needs verifying later.',
        '4. Answer or mark read the messages you dealt with (relay_inbox with mark_read).',
      ].join('\n'),
  },
]
