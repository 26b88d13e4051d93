using System.Runtime.CompilerServices;

namespace Channels.Generators.Tests;

/// <summary>
/// Compares generated text with a baseline file beside the tests (<c>Baselines/*.verified.cs</c>), line
/// by line, and says where the first difference is. With <c>CHANNELS_UPDATE_BASELINES=1</c> it rewrites
/// the baselines and fails, so the switch cannot be left on by accident. The generator's version in
/// <c>[GeneratedCode]</c> is written <c>%VERSION%</c> in baselines, so a version bump does not rewrite them.
/// </summary>
public static class Baseline
{
    public const string UpdateVariable = "CHANNELS_UPDATE_BASELINES";

    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "") =>
        VerifyAll([(name, actual)], callerFile);

    /// <summary>Verifies several files; in update mode rewrites them all before failing.</summary>
    public static void VerifyAll(IEnumerable<(string Name, string Actual)> files, [CallerFilePath] string callerFile = "")
    {
        var all = files.Select(f => (f.Name, Actual: WithoutVersion(f.Actual))).ToList();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            foreach (var (name, actual) in all)
            {
                var target = PathOf(name, callerFile);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, actual.Replace("\r\n", "\n"));
            }

            Assert.Fail($"{UpdateVariable} is on: rewrote {string.Join(", ", all.Select(f => f.Name))}. Turn it off and run again.");
        }

        foreach (var (name, actual) in all)
        {
            Compare(name, actual.Replace("\r\n", "\n"), PathOf(name, callerFile));
        }
    }

    private static string WithoutVersion(string text) =>
        text.Replace($"\"{Emitter.Names.GeneratorName}\", \"{Emitter.Names.GeneratorVersion}\"", $"\"{Emitter.Names.GeneratorName}\", \"%VERSION%\"", StringComparison.Ordinal);

    private static string PathOf(string name, string callerFile) =>
        Path.Combine(Path.GetDirectoryName(callerFile)!, "Baselines", name + ".verified.cs");

    private static void Compare(string name, string actual, string path)
    {
        Assert.True(File.Exists(path), $"No baseline {path}. Run with {UpdateVariable}=1 to create it, then review it.");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual)
        {
            return;
        }

        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var line = 0;
        while (line < expectedLines.Length && line < actualLines.Length && expectedLines[line] == actualLines[line])
        {
            line++;
        }

        Assert.Fail(
            $"{name} differs from its baseline at line {line + 1}:\n" +
            $"  expected: {(line < expectedLines.Length ? expectedLines[line] : "<end of file>")}\n" +
            $"  actual:   {(line < actualLines.Length ? actualLines[line] : "<end of file>")}\n" +
            $"Run with {UpdateVariable}=1 to accept the new output.");
    }
}
