variable "location" {
  type    = string
  default = "East US"
}
