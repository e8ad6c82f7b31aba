package sensor

// DefaultCatalog is every honeypot service kind built into the appliance.
func DefaultCatalog() Catalog {
	return Catalog{}
}
