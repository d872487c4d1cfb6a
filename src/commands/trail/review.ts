import {oclifCommand} from '../../cli/oclif.js'
import {review} from '../../cli/definitions/trail/review.js'

export default oclifCommand(review)
