package io.strata.console.web;

import io.quarkus.qute.TemplateData;
import io.strata.console.api.Billing;
import io.strata.console.api.ControlPlane;

/** Lets the templates read the API's records (Quarkus generates their value resolvers). */
@TemplateData(target = ControlPlane.Page.class)
@TemplateData(target = ControlPlane.ArrayView.class)
@TemplateData(target = ControlPlane.EngineView.class)
@TemplateData(target = ControlPlane.ArrayDriveView.class)
@TemplateData(target = ControlPlane.PoolView.class)
@TemplateData(target = ControlPlane.VolumeView.class)
@TemplateData(target = ControlPlane.SnapshotView.class)
@TemplateData(target = ControlPlane.PolicyView.class)
@TemplateData(target = ControlPlane.ServerView.class)
@TemplateData(target = ControlPlane.Connection.class)
@TemplateData(target = ControlPlane.AttachmentView.class)
@TemplateData(target = ControlPlane.OperationView.class)
@TemplateData(target = ControlPlane.Quota.class)
@TemplateData(target = ControlPlane.UsageView.class)
@TemplateData(target = ControlPlane.TenantView.class)
@TemplateData(target = ControlPlane.NodeView.class)
@TemplateData(target = ControlPlane.NodeCapacity.class)
@TemplateData(target = ControlPlane.CapacityView.class)
@TemplateData(target = ControlPlane.FleetArrayView.class)
@TemplateData(target = Billing.Line.class)
@TemplateData(target = Billing.Invoice.class)
@TemplateData(target = Billing.InvoiceSummary.class)
@TemplateData(target = Billing.PricePlan.class)
@TemplateData(target = Billing.PlanVersion.class)
@TemplateData(target = Billing.CloseOutcome.class)
@TemplateData(target = DashboardResource.Panel.class)
@TemplateData(target = ArraysResource.Progress.class)
@TemplateData(target = io.strata.console.forms.Forms.ArrayForm.class)
@TemplateData(target = io.strata.console.forms.Forms.PoolForm.class)
@TemplateData(target = io.strata.console.forms.Forms.VolumeForm.class)
@TemplateData(target = io.strata.console.forms.Forms.VolumeChangeForm.class)
@TemplateData(target = io.strata.console.forms.Forms.ServerForm.class)
@TemplateData(target = io.strata.console.forms.Forms.AttachmentForm.class)
@TemplateData(target = io.strata.console.forms.Forms.SnapshotForm.class)
@TemplateData(target = io.strata.console.forms.Forms.PolicyForm.class)
@TemplateData(target = io.strata.console.forms.Forms.TenantForm.class)
final class TemplateModels {
  private TemplateModels() {}
}
