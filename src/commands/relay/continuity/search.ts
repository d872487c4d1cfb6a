import {oclifCommand} from '../../../cli/oclif.js'
import {continuitySearch} from '../../../cli/definitions/relay/continuity-search.js'

export default oclifCommand(continuitySearch)
