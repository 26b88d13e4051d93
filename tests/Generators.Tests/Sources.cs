namespace Channels.Generators.Tests;

/// <summary>User handler classes the generator tests compile.</summary>
public static class Sources
{
    /// <summary>Every event kind, every binding, static/instance/private, nested partial types, lifetimes, typed payloads, acks.</summary>
    public const string Chat = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using Channels;
        using Microsoft.AspNetCore.Http;

        namespace Demo;

        public sealed record ChatLine(string Name, string Text);

        public sealed record Sum(int Total);

        public static class Program
        {
            public static void Main()
            {
            }
        }

        public sealed class Journal
        {
            public List<string> Entries { get; } = new();
        }

        public partial class ChatHandlers(Journal journal)
        {
            [OnConnect]
            public bool Connected(ChannelSocket socket, IDictionary<string, object?> context, HttpContext http)
            {
                context["user"] = socket.Auth.TryGetProperty("name", out var name) ? name.GetString() : null;
                journal.Entries.Add($"connect:{context["user"]}:{http.Request.Path}");
                return socket.Auth.ValueKind != JsonValueKind.Undefined;
            }

            [OnSubscribe("^room-")]
            public ValueTask<bool> Joining(ChannelSocket socket, string channel)
            {
                journal.Entries.Add($"subscribe:{channel}");
                return ValueTask.FromResult(channel != "room-closed");
            }

            [OnMessage("^room-")]
            public async Task Chat(ChannelSocket socket, ChatLine message, string channel, CancellationToken cancellationToken)
            {
                journal.Entries.Add($"message:{channel}:{message.Name}:{message.Text}");
                await socket.BroadcastChannelAsync(message);
            }

            [OnMessage]
            private void Plain(string text) => journal.Entries.Add($"plain:{text}");

            [OnMessage("^raw$")]
            private void Raw(JsonElement element) => journal.Entries.Add($"raw:{element.GetRawText()}");

            [OnUnsubscribe("^room-")]
            public void Left(string channel) => journal.Entries.Add($"unsubscribe:{channel}");

            [OnError]
            public void Failed(ChannelSocket socket, Exception exception) => journal.Entries.Add($"error:{exception.Message}");

            [OnError("^room-")]
            public void TimedOut(TimeoutException exception, string channel) => journal.Entries.Add($"timeout:{channel}");

            [OnDisconnect("^team-[a-z0-9]+$")]
            public Task Gone() => Task.CompletedTask;

            [OnFinish("^room-")]
            public static ValueTask Finished(ChannelSocket socket) => ValueTask.CompletedTask;

            [OnEvent("add")]
            public static Sum Add(int a, int b) => new(a + b);

            [OnEvent("upload")]
            public static Task<int> Upload(ReadOnlyMemory<byte> data) => Task.FromResult(data.Length);

            [OnEvent("whoami")]
            public ValueTask<string?> WhoAmI(ChannelSocket socket) => ValueTask.FromResult((string?)socket.Context["user"]);
        }

        public static partial class Outer
        {
            [ChannelHandlers(Namespace = "/admin", Lifetime = HandlerLifetime.Scoped)]
            internal partial class AdminHandlers(Journal journal, Counter counter)
            {
                [OnConnect]
                public async Task<bool> Check(ChannelSocket socket)
                {
                    journal.Entries.Add($"admin:{counter.Next()}");
                    await Task.Yield();
                    return true;
                }
            }
        }

        public sealed class Counter
        {
            private int _value;

            public int Next() => ++_value;
        }
        """;
}
