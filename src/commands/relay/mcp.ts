import {oclifCommand} from '../../cli/oclif.js'
import {mcp} from '../../cli/definitions/relay/mcp.js'

export default oclifCommand(mcp)
