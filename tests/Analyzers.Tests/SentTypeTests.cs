namespace Channels.Analyzers.Tests;

/// <summary>CHN0104: each call shape that sends a value through the app's JSON options, and the look-alikes that must not report.</summary>
public sealed class SentTypeTests
{
    private const string Types = """
        [System.Text.Json.Serialization.JsonSerializable(typeof(Declared))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public sealed record Declared(string Text);
        public sealed record Line(string Text);
        public interface IShape { }

        """;

    [Fact]
    public Task CHN0104_publisher_sends() => Verifier.VerifyAsync(Types + """
        public static class Sender
        {
            public static async Task Run(IChannelPublisher publisher, Line line)
            {
                await publisher.SendAsync("id", {|CHN0104:line|});
                await publisher.BroadcastAsync({|CHN0104:new Line("x")|});
                await publisher.BroadcastChannelAsync({|CHN0104:line|}, "room-1");
                await publisher.Channel("room-1").SendAsync({|CHN0104:line|});
                await publisher.Socket("id").Except("other").SendAsync({|CHN0104:line|});
            }
        }
        """);

    [Fact]
    public Task CHN0104_socket_sends() => Verifier.VerifyAsync(Types + """
        public static class Sender
        {
            public static async Task Run(ChannelSocket socket, Line line, IShape shape)
            {
                await socket.SendAsync({|CHN0104:line|});
                await socket.BroadcastAsync({|CHN0104:line|});
                await socket.BroadcastChannelAsync({|CHN0104:line|});
                await socket.SendAndBroadcastAsync({|CHN0104:line|});
                await socket.SendAndBroadcastChannelAsync({|CHN0104:line|}, "room-1");
                await socket.SendAsync({|CHN0104:shape|});
                await socket.SendAsync<object>({|CHN0104:line|});
                await socket.SendAsync<Line?>({|CHN0104:null|});
            }
        }
        """);

    [Fact]
    public Task CHN0104_each_emitted_argument() => Verifier.VerifyAsync(Types + """
        public static class Sender
        {
            public static async Task Run(IChannelPublisher publisher, ChannelSocket socket, Line line, Declared declared)
            {
                await socket.EmitAsync("e", {|CHN0104:line|}, declared, 1, "x");
                await socket.EmitWithAckAsync("e", new object?[] { {|CHN0104:line|}, declared });
                await publisher.All.EmitAsync("e", {|CHN0104:line|});
                await publisher.Channel("room-1").EmitWithAckAsync("e", [{|CHN0104:line|}, null], TimeSpan.FromSeconds(1));
            }
        }
        """);

    [Fact]
    public Task No_CHN0104_for_declared_runtime_and_unknowable_types() => Verifier.VerifyAsync(Types + """
        public sealed class Unrelated
        {
            public ValueTask SendAsync<T>(T message) => default;
            public ValueTask EmitAsync(string name, params object?[] args) => default;
        }

        public static class Sender
        {
            public static async Task Run<T>(IChannelPublisher publisher, ChannelSocket socket, Declared declared, Line line, object boxed, object?[] args, T value, ChannelPayload payload, Unrelated other)
            {
                await socket.SendAsync(declared);
                await socket.SendAsync("text");
                await socket.SendAsync(1);
                await socket.SendAsync(new byte[1]);
                await socket.SendAsync(new ReadOnlyMemory<byte>(new byte[1]));
                await socket.SendAsync(default(JsonElement));
                await socket.SendAsync(payload);
                await socket.SendAsync(boxed);
                await socket.SendAsync(value);
                await socket.BroadcastChannelAsync("text", "room-1");
                await publisher.Socket("id").SendAsync(declared);
                await socket.EmitAsync("e", args);
                await socket.EmitAsync("e", boxed, value, "x", 1, declared, payload);
                await other.SendAsync(line);
                await other.EmitAsync("e", line);
            }
        }
        """);
}
