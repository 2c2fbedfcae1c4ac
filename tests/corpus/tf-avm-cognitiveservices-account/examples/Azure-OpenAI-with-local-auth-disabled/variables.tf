variable "location" {
  type        = string
  default     = "eastus"
  description = "The location/region where the cognitive service account is created. Changing this forces a new resource to be created."
}
