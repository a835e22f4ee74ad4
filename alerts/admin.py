"""Staff see topics with their subscriber counts, alerts and what was sent; only superusers see
email addresses."""

from django.contrib import admin
from django.db.models import Count, Q

from alerts.models import Alert, Email, Subscriber, Subscription, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["title", "confirmed_count", "immediately", "daily", "weekly", "pending_count", "alert_count"]
    search_fields = ["title", "key"]
    fields = ["title", "key", "url", "created_at"]

    def get_queryset(self, request):
        confirmed = Q(subscriptions__confirmed_at__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed=Count("subscriptions", filter=confirmed, distinct=True),
                pending=Count("subscriptions", filter=Q(subscriptions__confirmed_at__isnull=True), distinct=True),
                alert_total=Count("alerts", distinct=True),
                **{
                    f"by_{f}": Count("subscriptions", filter=confirmed & Q(subscriptions__frequency=f), distinct=True)
                    for f in ("immediately", "daily", "weekly")
                },
            )
        )

    @admin.display(description="subscribers (confirmed)", ordering="confirmed")
    def confirmed_count(self, obj):
        return obj.confirmed

    @admin.display(description="immediately")
    def immediately(self, obj):
        return obj.by_immediately

    @admin.display(description="daily")
    def daily(self, obj):
        return obj.by_daily

    @admin.display(description="weekly")
    def weekly(self, obj):
        return obj.by_weekly

    @admin.display(description="waiting to confirm", ordering="pending")
    def pending_count(self, obj):
        return obj.pending

    @admin.display(description="alerts", ordering="alert_total")
    def alert_count(self, obj):
        return obj.alert_total


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "happened_at", "delivery_count", "email_count"]
    list_filter = ["kind", "happened_at"]
    search_fields = ["title", "note"]
    date_hierarchy = "happened_at"
    fields = ["title", "kind", "note", "url", "happened_at", "event", "topics"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(deliveries_total=Count("deliveries", distinct=True), emails_total=Count("emails", distinct=True))
        )

    @admin.display(description="subscribers", ordering="deliveries_total")
    def delivery_count(self, obj):
        return obj.deliveries_total

    @admin.display(description="emails sent or queued", ordering="emails_total")
    def email_count(self, obj):
        return obj.emails_total


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    """What was sent: kind, subject, state and tries. The address column is for superusers only."""

    list_filter = ["kind", "state", "created_at"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"

    def get_list_display(self, request):
        columns = ["subject", "kind", "state", "attempts", "created_at", "sent_at"]
        return columns + ["recipient"] if request.user.is_superuser else columns

    def get_fields(self, request, obj=None):
        fields = [
            "subject",
            "kind",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "provider_id",
            "alerts",
            "text",
        ]
        return ["recipient", *fields] if request.user.is_superuser else fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_fields(self, request):
        return ["subject", "subscriber__address"] if request.user.is_superuser else ["subject"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("subscriber")

    @admin.display(description="to")
    def recipient(self, obj):
        return obj.subscriber.address if obj.subscriber else "(address deleted)"


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ["topic", "frequency", "created_at", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    """Email addresses: superusers only (staff see counts on Topics)."""

    list_display = ["address", "created_at", "bounced_at", "subscription_count"]
    list_filter = ["bounced_at"]
    search_fields = ["address"]
    fields = ["address", "created_at", "bounced_at"]
    inlines = [SubscriptionInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(subscription_total=Count("subscriptions"))

    @admin.display(description="subscriptions", ordering="subscription_total")
    def subscription_count(self, obj):
        return obj.subscription_total
