"""Distribution endpoints: content, webhook subscriptions and their deliveries, amplification, public feeds."""
import json

from werkzeug.wrappers import Response

from gateway.http import feed_response, route
from services.distribution import schemas

TAG = "distribution"


class DistributionRoutes:

    @route("POST", "/api/v1/content", summary="Create a content item (a draft); the body HTML is sanitised",
           tag=TAG, body=schemas.ContentInput, response=schemas.ContentView, status=201)
    def create_content(self, call):
        return self.rpc("distribution", "create_content", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("GET", "/api/v1/content", summary="Content you may see, newest first", tag=TAG,
           query=schemas.ContentQuery, response=schemas.ContentPage)
    def list_content(self, call):
        return self.rpc("distribution", "list_content", call.actor, call.args)

    @route("GET", "/api/v1/content/waiting", tag=TAG, response=schemas.Waiting,
           summary="What waits for this agency: joint releases to approve, amplification requests to answer")
    def content_waiting(self, call):
        return self.rpc("distribution", "waiting_for", call.actor)

    @route("GET", "/api/v1/content/<item_id>", summary="One content item", tag=TAG,
           response=schemas.ContentView)
    def get_content(self, call, item_id):
        return self.rpc("distribution", "get_content", call.actor, item_id)

    @route("PATCH", "/api/v1/content/<item_id>", summary="Edit a draft (a new version)", tag=TAG,
           body=schemas.ContentEdit, response=schemas.ContentView)
    def edit_content(self, call, item_id):
        return self.rpc("distribution", "edit_content", call.actor, item_id, call.body)

    @route("POST", "/api/v1/content/<item_id>/approve", summary="A co-issuing agency approves a version",
           tag=TAG, body=schemas.ApproveInput, response=schemas.ContentView)
    def approve_content(self, call, item_id):
        return self.rpc("distribution", "approve_content", call.actor, item_id, call.body)

    @route("POST", "/api/v1/content/<item_id>/publish", summary="Publish now, or at the embargo time",
           tag=TAG, body=schemas.PublishInput, response=schemas.ContentView)
    def publish_content(self, call, item_id):
        return self.rpc("distribution", "publish_content", call.actor, item_id, call.body)

    @route("POST", "/api/v1/content/<item_id>/correct", summary="Correct a published item (a new version)",
           tag=TAG, body=schemas.Correction, response=schemas.ContentView)
    def correct_content(self, call, item_id):
        return self.rpc("distribution", "correct_content", call.actor, item_id, call.body)

    @route("POST", "/api/v1/content/<item_id>/withdraw",
           summary="Withdraw (kill) an item: a kill notice goes to every destination that received it",
           tag=TAG, body=schemas.WithdrawInput, response=schemas.ContentView)
    def withdraw_content(self, call, item_id):
        return self.rpc("distribution", "withdraw_content", call.actor, item_id, call.body)

    @route("POST", "/api/v1/subscriptions", summary="Register a webhook destination (the secret is shown once)",
           tag=TAG, body=schemas.SubscriptionInput, response=schemas.IssuedSubscription, status=201)
    def create_subscription(self, call):
        return self.rpc("distribution", "create_subscription", call.actor, call.body,
                        idempotency_key=call.idempotency_key)

    @route("GET", "/api/v1/subscriptions", summary="Your webhook subscriptions (all, for the coordinator)",
           tag=TAG, response=schemas.SubscriptionView(many=True))
    def list_subscriptions(self, call):
        return self.rpc("distribution", "list_subscriptions", call.actor)

    @route("POST", "/api/v1/subscriptions/<subscription_id>/rotate-secret",
           summary="A new signing secret (shown once; the old one also signs for 24 h)", tag=TAG,
           response=schemas.IssuedSubscription)
    def rotate_secret(self, call, subscription_id):
        return self.rpc("distribution", "rotate_secret", call.actor, subscription_id)

    @route("DELETE", "/api/v1/subscriptions/<subscription_id>", summary="Delete a subscription", tag=TAG,
           status=204)
    def delete_subscription(self, call, subscription_id):
        self.rpc("distribution", "delete_subscription", call.actor, subscription_id)
        return Response(status=204)

    @route("GET", "/api/v1/subscriptions/<subscription_id>/deliveries", summary="The delivery log",
           tag=TAG, query=schemas.DeliveryQuery, response=schemas.DeliveryPage)
    def list_deliveries(self, call, subscription_id):
        return self.rpc("distribution", "list_deliveries", call.actor, subscription_id, call.args)

    @route("POST", "/api/v1/subscriptions/<subscription_id>/deliveries/<delivery_id>/replay",
           summary="Send a failed delivery again (same webhook-id)", tag=TAG, response=schemas.DeliveryView)
    def replay_delivery(self, call, subscription_id, delivery_id):
        return self.rpc("distribution", "replay_delivery", call.actor, subscription_id, delivery_id)

    @route("POST", "/api/v1/content/<item_id>/amplification-requests",
           summary="Ask members to re-share an item by a deadline", tag=TAG, body=schemas.AmplificationInput,
           response=schemas.AmplificationReport, status=201)
    def request_amplification(self, call, item_id):
        return self.rpc("distribution", "request_amplification", call.actor, item_id, call.body,
                        idempotency_key=call.idempotency_key)

    @route("POST", "/api/v1/amplification-requests/<request_id>/responses",
           summary="Answer with the URL of your re-post", tag=TAG, body=schemas.AmplificationAnswer)
    def answer_amplification(self, call, request_id):
        return self.rpc("distribution", "answer_amplification", call.actor, request_id, call.body)

    @route("GET", "/api/v1/amplification-requests",
           summary="The requests asking your agency to re-share, newest first, each with your answer", tag=TAG,
           query=schemas.AmplificationQuery, response=schemas.AmplificationReport(many=True))
    def amplification_requests_to_me(self, call):
        return self.rpc("distribution", "amplification_requests_to_me", call.actor, call.args)

    @route("GET", "/api/v1/amplification-requests/<request_id>",
           summary="Who re-shared and who did not (an asked agency: the request and its own answer)",
           tag=TAG, response=schemas.AmplificationReport)
    def amplification_report(self, call, request_id):
        return self.rpc("distribution", "amplification_report", call.actor, request_id)

    @route("GET", "/api/v1/feeds/atom", auth="public", summary="Atom feed of published items", tag=TAG,
           content_type="application/atom+xml")
    def atom_feed(self, call):
        return self._atom(call, None)

    @route("GET", "/api/v1/feeds/atom/<agency_id>", auth="public", summary="Atom feed of one agency",
           tag=TAG, content_type="application/atom+xml")
    def agency_atom_feed(self, call, agency_id):
        return self._atom(call, agency_id)

    def _atom(self, call, agency_id):
        xml = self.rpc("distribution", "atom_feed", self.public_url + call.request.path, agency_id)
        return feed_response(xml, "application/atom+xml")

    @route("GET", "/api/v1/feeds/content.json", auth="public",
           summary="Published items as a JSON list of ninjs documents", tag=TAG, query=schemas.FeedQuery)
    def json_feed(self, call):
        documents = self.rpc("distribution", "json_feed", call.args)
        return feed_response(json.dumps(documents, ensure_ascii=False), "application/json")
