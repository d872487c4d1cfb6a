import {oclifCommand} from '../../cli/oclif.js'
import {sync} from '../../cli/definitions/trail/sync.js'

export default oclifCommand(sync)
