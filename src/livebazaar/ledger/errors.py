from livebazaar.kernel.errors import Invalid
from livebazaar.kernel.text import N_


class UnbalancedEntry(Exception):
    """A bug: code tried to write an entry whose postings do not sum to zero per currency (or
    that posts to two shops' books). Never the client's fault, so no DomainError: a 500."""


class EntryKeyConflict(Exception):
    """A bug: an entry's key was written before with other postings."""


class CommissionsTooHigh(Invalid):
    code = "commissions_too_high"
    title = N_("The commissions and the platform fee together pass 10,000 basis points")


class NotShowCohost(Invalid):
    code = "not_show_cohost"
    title = N_("A commission goes only to one of the show's hosts or co-hosts")


class DuplicateCommission(Invalid):
    code = "duplicate_commission"
    title = N_("Each person may have one commission per show")


class StatementPeriodInvalid(Invalid):
    code = "statement_period_invalid"
    title = N_("A statement's period runs from a day to a later one, a year at most")
