import {oclifCommand} from '../../cli/oclif.js'
import {hookGit} from '../../cli/definitions/trail/hook-git.js'

export default oclifCommand(hookGit)
