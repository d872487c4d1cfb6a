import {oclifCommand} from '../../cli/oclif.js'
import {resume} from '../../cli/definitions/trail/resume.js'

export default oclifCommand(resume)
