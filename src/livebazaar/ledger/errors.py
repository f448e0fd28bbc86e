from livebazaar.kernel.errors import Conflict, DomainError, Invalid, NotFound
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


class ShowAlreadyEnded(Conflict):
    code = "show_already_ended"
    title = N_("The show has ended: its commissions are fixed")


class AdminRequired(DomainError):
    code = "admin_required"
    status = 403
    title = N_("Only a platform admin may do this")


class ProducerBalanceHidden(NotFound):
    """Asked by someone who is neither the shop's staff nor the producer: as if unknown."""

    code = "producer_not_found"
    title = N_("No such producer")
