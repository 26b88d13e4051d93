using Channels.CodeFixes;

namespace Channels.Analyzers.Tests;

/// <summary>Each fixer applied, its result compiling with no diagnostic left; fix-all where it applies.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task Add_partial_to_the_class_and_its_containing_types() => Verifier.VerifyFixAsync<AddPartialFix>(
        """
        public static class {|CHN0002:Outer|}
        {
            public class {|CHN0001:Handlers|}
            {
                [OnMessage] public void Message(string text) { }
            }
        }
        """,
        """
        public static partial class Outer
        {
            public partial class Handlers
            {
                [OnMessage] public void Message(string text) { }
            }
        }
        """);

    [Fact]
    public Task Add_partial_fixes_all_classes() => Verifier.VerifyFixAsync<AddPartialFix>(
        """
        public class {|CHN0001:First|}
        {
            [OnMessage] public void Message(string text) { }
        }

        public class {|CHN0001:Second|}
        {
            [OnConnect] public void Connect() { }
        }
        """,
        """
        public partial class First
        {
            [OnMessage] public void Message(string text) { }
        }

        public partial class Second
        {
            [OnConnect] public void Connect() { }
        }
        """);

    [Fact]
    public Task Async_void_becomes_async_Task() => Verifier.VerifyFixAsync<ReturnTaskFix>(
        """
        public partial class Handlers
        {
            [OnMessage] public async {|CHN0004:void|} Message(string text) => await Task.Yield();
            [OnDisconnect] public async {|CHN0004:void|} Gone() { await Task.Yield(); }
        }
        """,
        """
        public partial class Handlers
        {
            [OnMessage] public async Task Message(string text) => await Task.Yield();
            [OnDisconnect] public async Task Gone() { await Task.Yield(); }
        }
        """);

    [Fact]
    public Task Wrong_return_type_of_an_async_handler_becomes_Task() => Verifier.VerifyFixAsync<ReturnTaskFix>(
        """
        public partial class Handlers
        {
            [OnDisconnect] public async {|CHN0003:Task<bool>|} Gone() { await Task.Yield(); throw new InvalidOperationException(); }
        }
        """,
        """
        public partial class Handlers
        {
            [OnDisconnect] public async Task Gone() { await Task.Yield(); throw new InvalidOperationException(); }
        }
        """);

    [Fact]
    public Task Ref_and_params_modifiers_are_removed() => Verifier.VerifyFixAsync<RemoveParameterModifierFix>(
        """
        public partial class Handlers
        {
            [OnEvent("a")] public void A({|CHN0007:ref|} int value) { }
            [OnEvent("b")] public void B({|CHN0007:params|} string[] values) { }
        }
        """,
        """
        public partial class Handlers
        {
            [OnEvent("a")] public void A(int value) { }
            [OnEvent("b")] public void B(string[] values) { }
        }
        """);

    [Fact]
    public Task JsonSerializable_is_added_to_the_existing_context() => Verifier.VerifyFixAsync<AddJsonSerializableFix>(
        """
        public sealed record Line(string Text);

        [System.Text.Json.Serialization.JsonSerializable(typeof(int))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public partial class Handlers
        {
            [OnMessage] public void Message({|CHN0025:Line|} line) { }
        }
        """,
        """
        public sealed record Line(string Text);

        [System.Text.Json.Serialization.JsonSerializable(typeof(int))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Line))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public partial class Handlers
        {
            [OnMessage] public void Message(Line line) { }
        }
        """);

    [Fact]
    public Task JsonSerializable_is_added_for_an_ack_type_and_for_the_type_argument_of_a_send() => Verifier.VerifyFixAsync<AddJsonSerializableFix>(
        """
        public sealed record Line(string Text);
        public sealed record Sum(int Value);

        [System.Text.Json.Serialization.JsonSerializable(typeof(int))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public partial class Handlers
        {
            [OnEvent("add")] public static {|CHN0025:Task<Sum>|} Add() => Task.FromResult(new Sum(1));
            public static ValueTask Send(ChannelSocket socket) => socket.SendAsync<Line?>({|CHN0104:null|});
        }
        """,
        """
        public sealed record Line(string Text);
        public sealed record Sum(int Value);

        [System.Text.Json.Serialization.JsonSerializable(typeof(int))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Sum))]
        [System.Text.Json.Serialization.JsonSerializable(typeof(Line))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public partial class Handlers
        {
            [OnEvent("add")] public static Task<Sum> Add() => Task.FromResult(new Sum(1));
            public static ValueTask Send(ChannelSocket socket) => socket.SendAsync<Line?>(null);
        }
        """,
        iterations: 2);

    [Fact]
    public Task Channel_parameter_of_an_event_without_a_channel_is_removed() => Verifier.VerifyFixAsync<RemoveParameterFix>(
        """
        public partial class Handlers
        {
            [OnConnect] public void Connect(ChannelSocket socket, {|CHN0017:string channel|}) { }
            [OnEvent("ping")] public int Ping({|CHN0017:string channel|}, int value) => value;
        }
        """,
        """
        public partial class Handlers
        {
            [OnConnect] public void Connect(ChannelSocket socket) { }
            [OnEvent("ping")] public int Ping(int value) => value;
        }
        """);

    [Fact]
    public Task Duplicate_parameter_is_removed() => Verifier.VerifyFixAsync<RemoveParameterFix>(
        """
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, {|CHN0006:JsonElement again|}) { }
            [OnConnect] public void Connect(ChannelSocket socket, {|CHN0006:ChannelSocket other|}, HttpContext http) { }
        }
        """,
        """
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
            [OnConnect] public void Connect(ChannelSocket socket, HttpContext http) { }
        }
        """);

    [Fact]
    public Task Channel_that_can_be_missing_becomes_nullable() => Verifier.VerifyFixAsync<NullableChannelFix>(
        """
        #nullable enable
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, {|CHN0019:string channel|}) { }
            [OnFinish] public void Finish({|CHN0019:string channel|}) { }
        }
        """,
        """
        #nullable enable
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, string? channel) { }
            [OnFinish] public void Finish(string? channel) { }
        }
        """);

    [Fact]
    public Task Namespace_gets_its_leading_slash() => Verifier.VerifyFixAsync<NamespaceSlashFix>(
        """
        [ChannelHandlers(Namespace = {|CHN0016:"admin"|})]
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
        }
        """,
        """
        [ChannelHandlers(Namespace = "/admin")]
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task Namespace_that_a_slash_does_not_fix_gets_no_fix() => Verifier.VerifyFixAsync<NamespaceSlashFix>(
        """
        [ChannelHandlers(Namespace = {|CHN0016:"my admin"|})]
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
        }
        """,
        """
        [ChannelHandlers(Namespace = {|CHN0016:"my admin"|})]
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task Private_handler_class_and_its_private_container_become_internal() => Verifier.VerifyFixAsync<MakeInternalFix>(
        """
        public partial class Outer
        {
            private partial class Middle
            {
                protected partial class {|CHN0012:Handlers|}
                {
                    [OnMessage] public static void Message(string text) { }
                }
            }
        }
        """,
        """
        public partial class Outer
        {
            internal partial class Middle
            {
                internal partial class Handlers
                {
                    [OnMessage] public static void Message(string text) { }
                }
            }
        }
        """);

    [Fact]
    public Task Hidden_payload_type_becomes_internal() => Verifier.VerifyFixAsync<MakeInternalFix>(
        """
        public partial class Handlers
        {
            [OnMessage] private void Message({|CHN0020:Secret secret|}) { }
            [OnEvent("b")] private void Other({|CHN0020:Nested line|}) { }

            private protected sealed record Secret(int Value);

            sealed record Nested(string Text);
        }
        """,
        """
        public partial class Handlers
        {
            [OnMessage] private void Message({|CHN0100:Secret|} secret) { }
            [OnEvent("b")] private void Other({|CHN0100:Nested|} line) { }

            internal sealed record Secret(int Value);

            internal sealed record Nested(string Text);
        }
        """);
}
