import {completionCommand, shellCompleteCommand} from '../../completion-commands.js'

export const completion = completionCommand('trail')
export const shellComplete = shellCompleteCommand('trail')
