using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Channels.Analyzers.Tests;

/// <summary>
/// CHN0025 and CHN0100: payload and [OnEvent] result types no [JsonSerializable] declares. An error where the
/// analyzer sees the app's contexts (its own or a referenced library's), a warning where it sees none.
/// </summary>
public sealed class JsonTypeTests
{
    private const string AppJson = """
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
        public readonly record struct Point(int X);

        """;

    [Fact]
    public Task CHN0025_payload_and_ack_types_missing_from_the_apps_context() => Verifier.VerifyAsync(AppJson + """
        public partial class Handlers
        {
            [OnMessage] public void Message({|CHN0025:Line|} line) { }
            [OnEvent("a")] public static {|CHN0025:Line|} A() => new("x");
            [OnEvent("b")] public static {|CHN0025:Task<Line>|} B() => Task.FromResult(new Line("x"));
            [OnEvent("c")] public static {|CHN0025:ValueTask<Point?>|} C() => default;
            [OnEvent("d")] public static {|CHN0025:List<Declared>|} D() => [];
        }
        """);

    [Fact]
    public Task CHN0025_names_the_context_and_the_fix() => Verifier.VerifyAsync(
        AppJson + """
        public partial class Handlers
        {
            [OnEvent("a")] public static {|#0:Line|} A() => new("x");
        }
        """,
        new DiagnosticResult("CHN0025", DiagnosticSeverity.Error)
            .WithLocation(0)
            .WithArguments("Line", "AppJson"));

    [Fact]
    public Task No_CHN0025_for_declared_runtime_and_unknowable_ack_types() => Verifier.VerifyAsync(AppJson + """
        public abstract class Shape { }

        public partial class Handlers
        {
            [OnMessage] public void Message(Declared line) { }
            [OnEvent("a")] public static Declared A() => new("x");
            [OnEvent("b")] public static Task<int?> B() => Task.FromResult<int?>(1);
            [OnEvent("c")] public static string? C() => null;
            [OnEvent("d")] public static JsonElement D() => default;
            [OnEvent("e")] public static byte[] E() => [];
            [OnEvent("f")] public static ValueTask<ReadOnlyMemory<byte>> F() => default;
            [OnEvent("g")] public static ChannelPayload? G() => null;
            [OnEvent("h")] public static object H() => 1;
            [OnEvent("i")] public static IDisposable? I() => null;
            [OnEvent("j")] public static Shape? J() => null;
            [OnEvent("k")] public static Task K() => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task CHN0100_when_the_analyzer_sees_no_context() => Verifier.VerifyAsync("""
        public sealed record Line(string Text);

        public partial class Handlers
        {
            [OnEvent("a")] public static {|CHN0100:Task<Line>|} A() => Task.FromResult(new Line("x"));
        }
        """);

    [Fact]
    public Task A_referenced_librarys_context_declares_types_for_the_app() => Verifier.VerifyWithLibraryAsync(
        """
        public sealed record Line(string Text);
        public sealed record Other(string Text);

        [System.Text.Json.Serialization.JsonSerializable(typeof(Line))]
        public abstract partial class LibraryJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            protected LibraryJson()
                : base(null)
            {
            }
        }
        """,
        """
        public partial class Handlers
        {
            [OnEvent("a")] public static Line A() => new("x");
            [OnEvent("b")] public static {|CHN0025:Other|} B() => new("x");
        }

        public static class Program { public static void Main() { } }
        """);
}
