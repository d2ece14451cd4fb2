using k8s.Models;

namespace Mesh.Control.Ambient;

/// <summary>Which pods exist for the mesh, and which of them the ztunnel captures (HBONE).</summary>
internal static class Enrollment
{
    /// <summary>Finished or terminating pods hold no traffic and are left out (Istio builds only running/pending pods).</summary>
    public static bool IsGone(V1Pod pod) =>
        pod.Metadata?.DeletionTimestamp is not null
        || pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>
    /// Ambient when the pod or its namespace is labelled <c>istio.io/dataplane-mode=ambient</c>; the pod label
    /// <c>none</c> opts out and wins. Host-network pods share the node's netns, so they can never be captured.
    /// </summary>
    public static bool IsEnrolled(V1Pod pod, V1Namespace? ns)
    {
        if (pod.Spec?.HostNetwork == true) return false;
        var podMode = AmbientLabels.Get(pod.Metadata?.Labels, AmbientLabels.DataplaneMode);
        if (podMode == AmbientLabels.DataplaneModeNone) return false;
        if (podMode == AmbientLabels.DataplaneModeAmbient) return true;
        return AmbientLabels.Get(ns?.Metadata?.Labels, AmbientLabels.DataplaneMode) == AmbientLabels.DataplaneModeAmbient;
    }
}
