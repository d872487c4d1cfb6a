import {oclifCommand} from '../../cli/oclif.js'
import {ingest} from '../../cli/definitions/relay/ingest.js'

export default oclifCommand(ingest)
