using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Channels.Analyzers.Tests;

/// <summary>One test per rule, on the exact span, and the look-alikes that must not report.</summary>
public sealed class HandlerAnalyzerTests
{
    [Fact]
    public Task Valid_handlers_of_every_kind_report_nothing() => Verifier.VerifyAsync("""
        public sealed record Line(string Text);

        [System.Text.Json.Serialization.JsonSerializable(typeof(Line))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public static partial class Outer
        {
            [ChannelHandlers(Namespace = "/chat", Lifetime = HandlerLifetime.Scoped)]
            internal partial class Handlers(IServiceProvider services)
            {
                [OnConnect] public bool Connect(ChannelSocket socket, IDictionary<string, object?> context, HttpContext http) => true;
                [OnMessage("^room-")] public ValueTask Message(ChannelSocket socket, Line line, string channel, CancellationToken token) => default;
                [OnMessage] private void Plain(string text) { }
                [OnMessage("^bin$")] private static void Binary(ReadOnlyMemory<byte> data) { }
                [OnSubscribe("^room-")] public Task<bool> Subscribe(string channel) => Task.FromResult(true);
                [OnUnsubscribe] public Task Unsubscribe() => Task.CompletedTask;
                [OnError] public void Error(Exception exception, string? channel) { }
                [OnError] public void Timeout(TimeoutException exception) { }
                [OnDisconnect("^room-")] public void Disconnect() { }
                [OnFinish] public static ValueTask Finish(JsonElement ignored) => default;
                [OnEvent("add")] public static int Add(int a, int b) => a + b;
                [OnEvent("echo")] public static Task<string> Echo(string text) => Task.FromResult(text);
            }
        }
        """.Replace("[OnFinish] public static ValueTask Finish(JsonElement ignored) => default;", "[OnFinish] public static ValueTask Finish() => default;", StringComparison.Ordinal));

    [Fact]
    public Task CHN0001_class_not_partial() => Verifier.VerifyAsync("""
        public class {|CHN0001:Handlers|}
        {
            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0002_containing_type_not_partial() => Verifier.VerifyAsync("""
        public static class {|CHN0002:Outer|}
        {
            public partial class Handlers
            {
                [OnMessage] public void Message(string text) { }
            }
        }
        """);

    [Fact]
    public Task CHN0003_return_type_not_allowed() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public {|CHN0003:int|} Message(string text) => 0;
            [OnDisconnect] public {|CHN0003:Task<bool>|} Gone() => Task.FromResult(true);
        }
        """);

    [Fact]
    public Task CHN0004_async_void() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public async {|CHN0004:void|} Message(string text) => await Task.Yield();
        }
        """);

    [Fact]
    public Task CHN0005_unbindable_parameter() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe] public void Subscribe({|CHN0005:int count|}) { }
        }
        """);

    [Fact]
    public Task CHN0005_payloads_generated_code_cannot_hold() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public void Bytes({|CHN0005:Span<byte> data|}) { }
            [OnEvent("chars")] public void Chars({|CHN0005:ReadOnlySpan<char> text|}) { }
            [OnEvent("callback")] public void Callback({|CHN0005:Func<int> callback|}) { }
            [OnEvent("list")] public void List({|CHN0005:List<Action> callbacks|}) { }
        }
        """);

    [Fact]
    public Task CHN0005_does_not_report_binary_or_serializable_payloads() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public void Bytes(ReadOnlyMemory<byte> data) { }
            [OnEvent("numbers")] public void Numbers(string[] names, int? maybe, string? text) { }
        }
        """);

    [Fact]
    public Task CHN0006_two_parameters_for_one_value() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, {|CHN0006:JsonElement again|}) { }
            [OnConnect] public void Connect(ChannelSocket a, {|CHN0006:ChannelSocket b|}) { }
        }
        """);

    [Fact]
    public Task CHN0007_ref_out_in_params() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnEvent("a")] public void A({|CHN0007:ref|} int value) { }
            [OnEvent("b")] public void B({|CHN0007:params|} string[] values) { }
        }
        """);

    [Fact]
    public Task CHN0008_pointer_parameter() => Verifier.VerifyAsync("""
        public unsafe partial class Handlers
        {
            [OnEvent("a")] public void A({|CHN0008:int* value|}) { }
        }
        """.Replace("public unsafe partial", "public partial", StringComparison.Ordinal).Replace("public void A(", "public unsafe void A(", StringComparison.Ordinal));

    [Fact]
    public Task CHN0009_generic_method() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] public void Message{|CHN0009:<T>|}(string text) { }
        }
        """);

    [Fact]
    public Task CHN0010_generic_class() => Verifier.VerifyAsync("""
        public partial class {|CHN0010:Handlers|}<T>
        {
            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0011_instance_handler_in_abstract_class() => Verifier.VerifyAsync("""
        public abstract partial class {|CHN0018:Handlers|}
        {
            [OnMessage] public void {|CHN0011:Message|}(string text) { }
            [OnMessage] public static void Fine(string text) { }
        }
        """);

    [Fact]
    public Task CHN0012_private_handler_class() => Verifier.VerifyAsync("""
        public partial class Outer
        {
            private partial class {|CHN0012:Handlers|}
            {
                [OnMessage] public static void Message(string text) { }
            }
        }
        """);

    [Fact]
    public Task CHN0013_invalid_pattern_points_at_the_offending_character() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage("^room-(abc")] public void Message(string text) { }
            [OnMessage(@"[a-")] public void Other(string text) { }
        }
        """,
        new DiagnosticResult(Diagnostics.InvalidPattern).WithSpan(10, 23, 10, 24).WithArguments("Invalid channel pattern: Not enough )'s"),
        new DiagnosticResult(Diagnostics.InvalidPattern).WithSpan(11, 16, 11, 22).WithArguments("Invalid channel pattern: Unterminated [] set"));

    [Fact]
    public Task CHN0014_empty_event_name() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnEvent({|CHN0014:""|})] public void A() { }
        }
        """);

    [Fact]
    public Task CHN0015_reserved_event_name() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnEvent({|CHN0015:"subscribe"|})] public void A() { }
            [OnEvent({|CHN0015:"disconnect"|})] public void B() { }
            [OnEvent({|CHN0015:"presence"|})] public void C() { }
        }
        """);

    [Fact]
    public Task CHN0016_invalid_namespace() => Verifier.VerifyAsync("""
        [ChannelHandlers(Namespace = {|CHN0016:"admin"|})]
        public partial class Handlers
        {
            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0017_channel_on_an_event_without_one() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnConnect] public void Connect({|CHN0017:string channel|}) { }
        }
        """);

    [Fact]
    public Task CHN0018_no_accessible_constructor() => Verifier.VerifyAsync("""
        public partial class {|CHN0018:Handlers|}
        {
            private Handlers() { }

            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0019_non_nullable_channel_where_the_event_can_have_none() => Verifier.VerifyAsync("""
        #nullable enable
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, {|CHN0019:string channel|}) { }
            [OnError] public void Error(Exception exception, {|CHN0019:string channel|}) { }
            [OnFinish] public void Finish({|CHN0019:string channel|}) { }
        }
        """);

    [Fact]
    public Task CHN0019_does_not_report_a_nullable_channel_or_an_event_that_always_has_one() => Verifier.VerifyAsync("""
        #nullable enable
        public partial class Handlers
        {
            [OnMessage] public void Message(string text, string? channel) { }
            [OnMessage("^room-")] public void Room(string text, string channel) { }
            [OnSubscribe] public bool Subscribe(string channel) => true;
            [OnUnsubscribe] public void Unsubscribe(string channel) { }
            [OnDisconnect("^room-")] public void Disconnect(string channel) { }
        }

        #nullable disable
        public partial class Oblivious
        {
            [OnMessage] public void Message(string text, string channel) { }
        }
        """);

    [Fact]
    public Task CHN0020_payload_type_hidden_from_generated_code() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage] private void Message({|CHN0020:Secret secret|}) { }
            [OnEvent("many")] private void Many({|CHN0020:List<Secret> secrets|}) { }
            [OnEvent("get")] private Secret Get() => new(1);

            internal sealed record Visible(int Value);

            private protected sealed record Secret(int Value);
        }
        """.Replace("[OnEvent(\"get\")] private Secret Get() => new(1);", "", StringComparison.Ordinal));

    [Fact]
    public Task CHN0018_required_members_without_a_constructor_that_sets_them() => Verifier.VerifyAsync("""
        public partial class {|CHN0018:Handlers|}
        {
            public required string Name { get; init; }

            [OnMessage] public void Message(string text) { }
        }

        public partial class Sets
        {
            [System.Diagnostics.CodeAnalysis.SetsRequiredMembers] public Sets() => Name = "";

            public required string Name { get; init; }

            [OnMessage] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0021_handler_attribute_on_a_local_function_lambda_accessor_or_operator() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            public int Count { [{|CHN0021:OnMessage|}] get => 0; }

            [{|CHN0021:OnMessage|}] public static Handlers operator +(Handlers a, Handlers b) => a;

            public Action<string> Lambda = [{|CHN0021:OnMessage|}] (string text) => { };

            public void Method()
            {
                [{|CHN0021:OnMessage("^room-")|}] void Local(string text) { }
                Local("x");
            }
        }
        """);

    [Fact]
    public Task CHN0022_explicit_interface_implementation() => Verifier.VerifyAsync("""
        public interface IChat
        {
            void Message(string text);
        }

        public partial class Handlers : IChat
        {
            [OnMessage] void {|CHN0022:IChat.|}Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0023_handler_in_an_interface_or_a_ref_struct() => Verifier.VerifyAsync("""
        public partial interface IHandlers
        {
            [OnMessage] static abstract void {|CHN0023:Abstract|}(string text);
            [OnMessage] static virtual void {|CHN0023:Virtual|}(string text) { }
            [OnMessage] static void {|CHN0023:Static|}(string text) { }
            [OnMessage] void {|CHN0023:Default|}(string text) { }
        }

        public ref partial struct Span
        {
            [OnMessage] public void {|CHN0023:Message|}(string text) { }
        }
        """);

    [Fact]
    public Task CHN0024_empty_or_blank_rate_limit_name() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnEvent("kick", RateLimit = {|CHN0024:""|})] public void Kick(string user) { }
            [OnMessage("^room-", RateLimit = {|CHN0024:"  "|})] public void Chat(string text) { }
            [OnEvent("ban", RateLimit = "moderation")] public void Ban(string user) { }
            [OnMessage(RateLimit = null)] public void Any(string text) { }
            [OnSubscribe("^room-")] public bool Rooms() => true;
        }
        """);

    [Fact]
    public Task CHN0100_is_not_reported_for_a_declared_type_with_nullable_annotations() => Verifier.VerifyAsync("""
        #nullable enable
        [System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
        internal abstract partial class AppJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected AppJson()
                : base(null)
            {
            }
        }

        public partial class Handlers
        {
            [OnMessage] public void Message(List<string?>? items) { }
        }
        """);

    [Fact]
    public Task CHN0100_payload_type_without_json_context() => Verifier.VerifyAsync("""
        public sealed record Line(string Text);

        public partial class Handlers
        {
            [OnMessage] public void Message({|CHN0100:Line|} line) { }
            [OnEvent("get")] public static {|CHN0100:Line|} Get() => new("x");
        }
        """);

    [Fact]
    public Task CHN0101_two_event_handlers_answer_one_ack() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnEvent("get")] public static int First() => 1;
            [OnEvent("get")] public static int {|CHN0101:Second|}() => 2;
            [OnEvent("get")] public static void Third() { }
        }
        """);

    [Fact]
    public Task CHN0102_pattern_that_never_matches() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage({|CHN0102:"[^\\s\\S]"|})] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task CHN0200_pattern_with_a_runtime_regex_fallback() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage({|CHN0200:"^(a)\\1$"|})] public void Message(string text) { }
        }
        """);
}
