"""Calendar endpoints: items and their life cycle, clash check, free slots, the ICS feeds."""
from gateway.http import feed_response, route
from services.calendar import schemas

ITEM = "/api/v1/calendar/items/<item_id>"


class CalendarRoutes:

    @route("POST", "/api/v1/calendar/items", summary="Propose an item (for the calling agency)",
           tag="calendar", body=schemas.ItemInput, response=schemas.Item, status=201)
    def propose_item(self, call):
        return self.rpc("calendar", "propose_item", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("GET", "/api/v1/calendar/items", summary="Items by date range, agency, kind, state, attention",
           tag="calendar", query=schemas.ItemQuery, response=schemas.ItemList)
    def list_items(self, call):
        # The calendar answers the list as JSON text, joined from the items' stored summaries.
        return feed_response(self.rpc("calendar", "list_items", call.actor, call.args), "application/json",
                             "no-store")

    @route("GET", "/api/v1/calendar/days", tag="calendar", query=schemas.DayQuery, response=schemas.DayList,
           summary="The days of a period that have items: how many each, and the first few (a month view)")
    def list_days(self, call):
        return feed_response(self.rpc("calendar", "list_days", call.actor, call.args), "application/json",
                             "no-store")

    @route("GET", "/api/v1/calendar/waiting", tag="calendar", response=schemas.Waiting,
           summary="What waits for this agency: its proposals, participations to answer "
                   "(the coordinator also: proposals to schedule, items needing attention)")
    def calendar_waiting(self, call):
        return self.rpc("calendar", "waiting_for", call.actor)

    @route("GET", ITEM, summary="One item", tag="calendar", response=schemas.Item)
    def get_item(self, call, item_id):
        return self.rpc("calendar", "get_item", call.actor, item_id)

    @route("PATCH", ITEM, summary="Edit or reschedule an item (a new time of a scheduled item needs a reason)",
           tag="calendar", body=schemas.ItemChange, response=schemas.Item)
    def change_item(self, call, item_id):
        return self.rpc("calendar", "change_item", call.actor, item_id, call.body)

    @route("GET", ITEM + "/history", summary="Who changed what on an item, when and why",
           tag="calendar", response=schemas.History)
    def item_history(self, call, item_id):
        return self.rpc("calendar", "item_history", call.actor, item_id)

    @route("POST", ITEM + "/schedule", auth="coordinator", tag="calendar", body=schemas.ScheduleInput,
           response=schemas.Item, summary="Schedule a proposal (409 lists clashes unless overridden)")
    def schedule_item(self, call, item_id):
        return self.rpc("calendar", "schedule_item", call.actor, item_id, call.body)

    @route("POST", ITEM + "/decline", auth="coordinator", summary="Decline a proposal with a reason",
           tag="calendar", body=schemas.ReasonInput, response=schemas.Item)
    def decline_item(self, call, item_id):
        return self.rpc("calendar", "decline_item", call.actor, item_id, call.body)

    @route("POST", ITEM + "/withdraw", summary="Withdraw the calling agency's own proposal",
           tag="calendar", body=schemas.OptionalReasonInput, response=schemas.Item)
    def withdraw_item(self, call, item_id):
        return self.rpc("calendar", "withdraw_item", call.actor, item_id, call.body)

    @route("POST", ITEM + "/cancel", summary="Cancel a scheduled item with a reason",
           tag="calendar", body=schemas.ReasonInput, response=schemas.Item)
    def cancel_item(self, call, item_id):
        return self.rpc("calendar", "cancel_item", call.actor, item_id, call.body)

    @route("POST", ITEM + "/held", summary="Mark a past scheduled item as held",
           tag="calendar", response=schemas.Item)
    def mark_held(self, call, item_id):
        return self.rpc("calendar", "mark_held", call.actor, item_id)

    @route("POST", ITEM + "/participation", summary="A supporting agency confirms or declines its part",
           tag="calendar", body=schemas.ParticipationInput, response=schemas.Item)
    def respond(self, call, item_id):
        return self.rpc("calendar", "respond", call.actor, item_id, call.body)

    @route("GET", "/api/v1/calendar/clashes", summary="Scheduled items a time would clash with",
           tag="calendar", query=schemas.ClashQuery, response=schemas.ClashList)
    def clash_check(self, call):
        return self.rpc("calendar", "clash_check", call.actor, call.args)

    @route("GET", "/api/v1/calendar/free-slots", summary="The earliest free slots of a length in a window",
           tag="calendar", query=schemas.FreeSlotQuery, response=schemas.SlotList)
    def free_slots(self, call):
        return self.rpc("calendar", "free_slots", call.actor, call.args)

    @route("POST", "/api/v1/calendar/agencies/<agency_id>/feed-link", response=schemas.FeedLink,
           summary="A new secret link to the agency's feed (the previous link stops working)",
           tag="calendar")
    def rotate_feed_link(self, call, agency_id):
        return self.rpc("calendar", "rotate_feed_link", call.actor, agency_id)

    @route("GET", "/api/v1/calendar.ics", auth="public", summary="The public press calendar (iCalendar)",
           tag="calendar", content_type="text/calendar")
    def public_feed(self, call):
        return feed_response(self.rpc("calendar", "public_feed"), "text/calendar")

    @route("GET", "/api/v1/calendar/feeds/<token>.ics", auth="public", content_type="text/calendar",
           summary="An agency's feed with members-only items, opened by its secret link", tag="calendar")
    def agency_feed(self, call, token):
        return feed_response(self.rpc("calendar", "agency_feed", token), "text/calendar",
                             "private, no-store")
