import {oclifCommand} from '../../../cli/oclif.js'
import {bridgeAdd} from '../../../cli/definitions/relay/bridge.js'

export default oclifCommand(bridgeAdd)
