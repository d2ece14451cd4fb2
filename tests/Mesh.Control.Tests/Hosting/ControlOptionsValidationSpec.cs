namespace Mesh.Control.Tests.Hosting;

/// <summary>
/// Bad settings stop the control plane at start-up with one line naming the key, exit code 2 — checked on the real
/// binary (the mesh-control the test project references). Before, a value the validator refused was thrown from the
/// Akka set-up and the process aborted (exit 134) with a stack trace.
/// </summary>
public class ControlOptionsValidationSpec
{
    [Theory]
    [InlineData("--Mesh:Control:EntityAskInterval=-00:00:01", "Mesh:Control:EntityAskInterval = -00:00:01: must be greater than zero")]
    [InlineData("--Mesh:Control:MaxIdleAddressEntities=0", "Mesh:Control:MaxIdleAddressEntities = 0: must be at least 1")]
    [InlineData("--Mesh:Control:Nodes=,", "Mesh:Control:Nodes = ',': name at least one node")]
    [InlineData("--Mesh:Control:AddressEntityIdle=abc", "'abc' at 'Mesh:Control:AddressEntityIdle'")]
    [InlineData("--Mesh:Port=abc", "'abc' at 'Mesh:Port'")]
    public async Task The_binary_refuses_a_bad_value_naming_its_key_with_exit_code_2(string argument, string expected)
    {
        using var manifests = new TempDir();
        using var state = new TempDir();
        var run = await ProgramRun.RunAsync("mesh-control.dll",
        [
            "--Mesh:Port=0", "--Mesh:AdminPort=0", $"--Mesh:Control:Manifests={manifests.Path}", $"--Mesh:Ca:StateDir={state.Path}", argument,
        ]);
        var error = run.Stderr;
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {error}");
        Assert.Contains("mesh-control: invalid configuration:", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error); // one line, no stack trace
    }
}
