from django.contrib import admin

from .models import Patient, Referral


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["hospital_number", "family_name", "given_name", "date_of_birth", "sex"]
    search_fields = ["hospital_number", "family_name"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["patient", "clinic", "complaint", "urgency", "suspicion", "received_on"]
    list_filter = ["clinic", "urgency", "complaint", "suspicion"]
    search_fields = ["patient__hospital_number", "patient__family_name", "referring_gp"]
    autocomplete_fields = ["patient"]
    date_hierarchy = "received_on"
