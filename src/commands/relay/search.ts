import {oclifCommand} from '../../cli/oclif.js'
import {search} from '../../cli/definitions/relay/search.js'

export default oclifCommand(search)
