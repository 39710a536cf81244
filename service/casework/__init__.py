"""A case's work between its worker and its handlers once it is filed: anonymous messages both
ways, and the inspectors' take-over of a failed or overdue mediation (立案)."""
