import {oclifCommand} from '../../../cli/oclif.js'
import {bridgeList} from '../../../cli/definitions/relay/bridge.js'

export default oclifCommand(bridgeList)
