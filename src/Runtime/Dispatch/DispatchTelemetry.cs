using System.Diagnostics;
using Channels.Diagnostics;

namespace Channels.Dispatch;

/// <summary>How a dispatched event or one handler of it ended, as traces and metrics tag it.</summary>
internal enum DispatchOutcome
{
    /// <summary>Ran to the end.</summary>
    Ok,

    /// <summary>A handler threw (or failed the client's arguments).</summary>
    Error,

    /// <summary>A connect or subscribe handler refused.</summary>
    Rejected,

    /// <summary>A named rate limit refused the event; no handler ran.</summary>
    RateLimited,
}

/// <summary>
/// The traces and metrics of dispatch (<c>docs/observability.md</c>): an activity per dispatched event with
/// a child per handler, on <see cref="ChannelsTelemetry.ActivitySourceName"/>, and the tagged instruments of
/// <see cref="ChannelsMetrics"/>. Tags name the event kind, namespace, event name and handler (its display
/// name and declared pattern), never a channel or a socket. While nothing listens, each call is a flag
/// test: no activity, no tag list, no clock read.
/// </summary>
internal sealed class DispatchTelemetry(ChannelsMetrics? metrics)
{
    public const string KindTag = "channels.event.kind";
    public const string NamespaceTag = "channels.namespace";
    public const string EventNameTag = "channels.event.name";
    public const string HandlerTag = "channels.handler.name";
    public const string PatternTag = "channels.handler.pattern";
    public const string OutcomeTag = "channels.outcome";
    public const string RateLimitTag = "channels.rate_limit";
    public const string ErrorTypeTag = "error.type";

    // In the order of ChannelEventKind and DispatchOutcome: tag values without a ToString per event.
    private static readonly string[] Kinds = ["connect", "message", "subscribe", "unsubscribe", "error", "disconnect", "finish", "event"];
    private static readonly string[] Outcomes = ["ok", "error", "rejected", "rate_limited"];

    public static string KindName(ChannelEventKind kind) => Kinds[(int)kind];

    public static string OutcomeName(DispatchOutcome outcome) => Outcomes[(int)outcome];

    /// <summary>
    /// Starts the activity of one dispatched event. Under another source's activity (the HTTP request of a
    /// WebSocket lasts as long as the connection) it starts a new trace, linked to that one; under one of the
    /// runtime's own (an <c>[OnError]</c> run, a subscribe from a handler) it is a child.
    /// </summary>
    public static EventScope StartEvent(ChannelEventKind kind, string @namespace, string? eventName)
    {
        var source = ChannelsTelemetry.Source;
        if (!source.HasListeners())
        {
            return default;
        }

        var previous = Activity.Current;
        ActivityLink[]? links = null;
        var detached = previous is not null && previous.Source != source;
        if (detached)
        {
            links = [new ActivityLink(previous!.Context)];
            Activity.Current = null;
        }

        var name = eventName is null ? KindName(kind) : KindName(kind) + " " + eventName;
        var activity = source.StartActivity(name, kind == ChannelEventKind.Error ? ActivityKind.Internal : ActivityKind.Server, default(ActivityContext), links: links);
        if (activity is null)
        {
            if (detached)
            {
                Activity.Current = previous;
            }

            return default;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(KindTag, KindName(kind));
            activity.SetTag(NamespaceTag, @namespace);
            if (eventName is not null)
            {
                activity.SetTag(EventNameTag, eventName);
            }
        }

        return new EventScope(activity, detached ? previous : null, detached);
    }

    /// <summary>Ends the event's activity with its outcome and counts the event.</summary>
    public void EndEvent(in EventScope scope, ChannelEventKind kind, string @namespace, string? eventName, DispatchOutcome outcome, string? rateLimit = null)
    {
        if (scope.Activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(OutcomeTag, OutcomeName(outcome));
                if (rateLimit is not null)
                {
                    activity.SetTag(RateLimitTag, rateLimit);
                }
            }

            if (outcome == DispatchOutcome.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }

            activity.Dispose();
            if (scope.Detached)
            {
                Activity.Current = scope.Previous;
            }
        }

        if (metrics is { EventsEnabled: true })
        {
            var tags = new TagList { { KindTag, KindName(kind) }, { NamespaceTag, @namespace }, { OutcomeTag, OutcomeName(outcome) } };
            if (eventName is not null)
            {
                tags.Add(EventNameTag, eventName);
            }

            metrics.EventDispatched(in tags);
        }
    }

    /// <summary>Starts the activity of one handler (a child of the event's) and its clock, when either is wanted.</summary>
    public HandlerScope StartHandler(ChannelHandlerDescriptor handler)
    {
        var source = ChannelsTelemetry.Source;
        var activity = source.HasListeners() ? source.StartActivity(handler.Name, ActivityKind.Internal) : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(HandlerTag, handler.Name);
            if (handler.Pattern is not null)
            {
                activity.SetTag(PatternTag, handler.Pattern);
            }
        }

        var started = activity is not null || metrics is { HandlersEnabled: true } ? Stopwatch.GetTimestamp() : 0;
        return new HandlerScope(activity, started);
    }

    /// <summary>Ends a handler's activity with its outcome (and the exception's type) and records its duration.</summary>
    public void EndHandler(in HandlerScope scope, ChannelHandlerDescriptor handler, DispatchOutcome outcome, Exception? exception)
    {
        if (scope.Activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(OutcomeTag, OutcomeName(outcome));
                if (exception is not null)
                {
                    activity.SetTag(ErrorTypeTag, exception.GetType().FullName);
                    activity.AddException(exception);
                }
            }

            if (outcome == DispatchOutcome.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception?.Message);
            }

            activity.Dispose();
        }

        if (scope.Started != 0 && metrics is { HandlersEnabled: true })
        {
            var tags = new TagList
            {
                { KindTag, KindName(handler.Kind) },
                { NamespaceTag, handler.Namespace },
                { HandlerTag, handler.Name },
                { OutcomeTag, OutcomeName(outcome) },
            };
            if (handler.EventName is not null)
            {
                tags.Add(EventNameTag, handler.EventName);
            }

            if (handler.Pattern is not null)
            {
                tags.Add(PatternTag, handler.Pattern);
            }

            metrics.HandlerRan(Stopwatch.GetElapsedTime(scope.Started), in tags);
        }
    }
}

/// <summary>The activity of one dispatched event, and the activity it replaced as current, if it did.</summary>
internal readonly record struct EventScope(Activity? Activity, Activity? Previous, bool Detached);

/// <summary>The activity of one handler and when it started (0 when nothing measures it).</summary>
internal readonly record struct HandlerScope(Activity? Activity, long Started);
