using System.Runtime.InteropServices;

namespace Mesh.Node.Tests.Capture;

/// <summary>
/// A fact that needs root (network namespaces, iptables). xunit 2 has no dynamic skip, so the decision is made
/// here: without root the test shows up as skipped with the reason, never as a silent pass.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || geteuid() != 0)
            Skip = "requires root (CAP_NET_ADMIN) to create network namespaces";
    }

#pragma warning disable SYSLIB1054 // blittable; DllImport keeps the test project free of unsafe code
    [DllImport("libc")]
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
