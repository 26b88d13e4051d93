using Microsoft.AspNetCore.Http;
using System.Text.Json.Serialization;

namespace Channels.Handlers.Tests;

public sealed record ChatLine(string Name, string Text);

public sealed record Total(int Sum);

[JsonSerializable(typeof(ChatLine))]
[JsonSerializable(typeof(Total))]
internal sealed partial class HandlersJson : JsonSerializerContext;

/// <summary>Every event kind, as a user would write them; each records what it saw.</summary>
public sealed partial class RoomHandlers(EventJournal journal)
{
    [OnConnect]
    public bool Connect(ChannelSocket socket)
    {
        journal.Add($"connect:{socket.Namespace}");
        return !(socket.Auth.TryGetProperty("token", out var token) && token.GetString() == "bad");
    }

    [OnSubscribe("^room-")]
    public ValueTask<bool> Subscribe(string channel)
    {
        journal.Add($"subscribe:{channel}");
        return ValueTask.FromResult(channel != "room-closed");
    }

    [OnMessage("^room-")]
    public ValueTask Message(ChannelSocket socket, ChatLine line, string channel)
    {
        journal.Add($"message:{channel}:{line.Name}:{line.Text}");
        return socket.BroadcastChannelAsync(line);
    }

    [OnUnsubscribe("^room-")]
    private void Unsubscribe(string channel) => journal.Add($"unsubscribe:{channel}");

    [OnError]
    private void Error(Exception exception) => journal.Add($"error:{exception.Message}");

    [OnDisconnect]
    private void Disconnect() => journal.Add("disconnect");

    [OnFinish]
    private Task Finish(ChannelSocket socket)
    {
        journal.Add($"finish:{string.Join(",", socket.Channels)}");
        return Task.CompletedTask;
    }

    [OnEvent("boom")]
    private static void Boom() => throw new InvalidOperationException("boom");

    [OnEvent("boom")]
    private static string AfterBoom() => "still ran";

    [OnEvent("add")]
    public static Total Add(int a, int b) => new(a + b);
}

/// <summary>A handler that asks the client something and answers the client's ack with the reply.</summary>
public static partial class QuestionHandlers
{
    /// <summary>What the connection's URL and handshake carried (a test client's Query and Headers).</summary>
    [OnEvent("handshake")]
    public static string Handshake(ChannelSocket socket) =>
        $"{socket.HttpContext.Request.Query["room"]}|{socket.HttpContext.Request.Headers["X-Trace"]}";

    [OnEvent("quiz")]
    public static async Task<string?> Quiz(ChannelSocket socket, CancellationToken cancellationToken)
    {
        var reply = await socket.EmitWithAckAsync("question", ["what is 6x7?"], cancellationToken);
        return reply.GetString(0);
    }
}

/// <summary>A handler charged to a named limit (configured in the tests' start-up as "votes").</summary>
public sealed partial class VoteHandlers(EventJournal journal)
{
    [OnEvent("vote", RateLimit = "votes")]
    public string Vote(string choice)
    {
        journal.Add($"vote:{choice}");
        return "counted";
    }
}

/// <summary>Bound and unbound message handlers (DESIGN.md: an unbound handler fires for every message).</summary>
public sealed partial class MessageBindingHandlers(EventJournal journal)
{
    /// <summary>Any JSON value: this handler sees every message of every channel, whatever other handlers expect.</summary>
    [OnMessage]
    public void Any(System.Text.Json.JsonElement text, string? channel) => journal.Add($"any:{channel}:{text}");

    [OnMessage("^team-")]
    public void Team(string text, string channel) => journal.Add($"team:{channel}:{text}");

    /// <summary>Declares the team channels (channels are denied unless an [OnSubscribe] pattern matches).</summary>
    [OnSubscribe("^team-")]
    public static bool Teams() => true;
}

/// <summary>A new instance and DI scope for each event.</summary>
[ChannelHandlers(Lifetime = HandlerLifetime.Scoped)]
public sealed partial class ScopedHandlers(ScopedCounter counter)
{
    [OnEvent("scope-id")]
    public int Id() => counter.Id;

    /// <summary>The request's services are the event's scope: the scoped service resolved there is this handler's.</summary>
    [OnEvent("scope-of-request-services")]
    public bool RequestServicesAreTheEventScope(HttpContext http) =>
        ReferenceEquals(http.RequestServices.GetService(typeof(ScopedCounter)), counter);
}

/// <summary>A scoped service whose id tells one scope from another.</summary>
public sealed class ScopedCounter
{
    private static int s_next;

    public int Id { get; } = Interlocked.Increment(ref s_next);
}

/// <summary>What the handlers saw, in order, with a way to wait for an entry.</summary>
public sealed class EventJournal
{
    private readonly List<string> _entries = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public void Add(string entry)
    {
        TaskCompletionSource changed;
        lock (_entries)
        {
            _entries.Add(entry);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public async Task WaitForAsync(string entry, bool prefix = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_entries)
            {
                if (prefix ? _entries.Exists(e => e.StartsWith(entry, StringComparison.Ordinal)) : _entries.Contains(entry))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{entry}' within 10 s. Seen: {string.Join(" | ", Entries)}");
            }
        }
    }
}

/// <summary>Handlers whose arguments a careless client gets wrong: strict binding answers with an error ack.</summary>
public sealed partial class StrictHandlers(EventJournal journal)
{
    [OnEvent("kick")]
    public static string Kick(string user) => "kicked " + user;

    [OnEvent("maybe")]
    public static string Maybe(string? note) => note ?? "(none)";

    [OnEvent("line")]
    public static string Line(ChatLine line) => line.Text;

    [OnEvent("count")]
    public static int Count(int n) => n;

    [OnSubscribe("^strict-")]
    public static bool Join() => true;

    [OnMessage("^strict-")]
    public void Said(string text)
    {
        if (text == "explode")
        {
            throw new InvalidOperationException("exploded");
        }

        journal.Add($"strict:{text}");
    }

    [OnError]
    private void Failed(Exception exception) => journal.Add($"strict-error:{exception.GetType().Name}:{exception.Message}");
}

/// <summary>What a typed room channel is for.</summary>
public enum RoomKind
{
    Lobby,
    Game,
}

/// <summary>Channel patterns whose named groups bind typed parameters (a namespace of their own).</summary>
[ChannelHandlers(Namespace = "/typed")]
public sealed partial class TypedChannelHandlers(EventJournal journal)
{
    [OnSubscribe(@"^room-(?<roomId>\d+)$")]
    public bool Room(int roomId)
    {
        journal.Add($"typed-subscribe:{roomId}");
        return true;
    }

    [OnMessage(@"^room-(?<roomId>\d+)$")]
    public void Chat(int roomId, ChatLine line, string channel) => journal.Add($"typed-message:{roomId}:{channel}:{line.Text}");

    [OnSubscribe(@"^user:(?<user>[^:]+):(?<kind>[A-Za-z]+)$")]
    public void User(string user, RoomKind kind) => journal.Add($"typed-user:{user}:{kind}");

    [OnSubscribe(@"^big-(?<id>\d+)-(?<key>[0-9a-f-]+)$")]
    public void Big(long id, Guid key) => journal.Add($"typed-big:{id}:{key}");

    /// <summary>Not of the common shape: the groups are read by a cached Regex.</summary>
    [OnSubscribe(@"^(?:a|b)-(?<n>\d+)$")]
    public void Fallback(int n) => journal.Add($"typed-fallback:{n}");

    [OnError]
    public void Error(Exception exception, string? channel) => journal.Add($"typed-error:{channel}:{exception.GetType().Name}:{exception.Message}");
}
