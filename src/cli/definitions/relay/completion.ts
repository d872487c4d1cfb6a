import {completionCommand, shellCompleteCommand} from '../../completion-commands.js'

export const completion = completionCommand('relay')
export const shellComplete = shellCompleteCommand('relay')
