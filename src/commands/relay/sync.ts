import {oclifCommand} from '../../cli/oclif.js'
import {sync} from '../../cli/definitions/relay/sync.js'

export default oclifCommand(sync)
