import {oclifCommand} from '../../../cli/oclif.js'
import {continuityLoad} from '../../../cli/definitions/relay/continuity-load.js'

export default oclifCommand(continuityLoad)
