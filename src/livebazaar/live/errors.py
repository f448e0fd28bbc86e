from livebazaar.kernel.errors import Conflict, Forbidden, NotFound


class ShowNotFound(NotFound):
    code = "show_not_found"
    title = "No such show"


class NotShowHost(Forbidden):
    code = "not_show_host"
    title = "Only the show's hosts may do this"


class ShowNotLive(Conflict):
    code = "show_not_live"
    title = "The show is not live"
