import {oclifCommand} from '../../../cli/oclif.js'
import {bridgeRemove} from '../../../cli/definitions/relay/bridge.js'

export default oclifCommand(bridgeRemove)
